package dev.txguard;

/**
 * The SQL isolation level a unit runs at. PostgreSQL's default, and txguard's, is {@link
 * #READ_COMMITTED}. At {@link #REPEATABLE_READ} and {@link #SERIALIZABLE} PostgreSQL may abort a
 * unit with SQLSTATE 40001 (serialization failure); txguard retries such units up to {@link
 * TxOptions#maxAttempts(int)} times.
 */
public enum Isolation {
  /** Each statement sees data committed before it began. */
  READ_COMMITTED("READ COMMITTED"),
  /** All statements see one snapshot taken at the unit's first statement. */
  REPEATABLE_READ("REPEATABLE READ"),
  /** As if units ran one after another; conflicting units fail with 40001 and are retried. */
  SERIALIZABLE("SERIALIZABLE");

  private final String sql;

  Isolation(String sql) {
    this.sql = sql;
  }

  /** {@return the level as written in SQL, e.g. {@code "REPEATABLE READ"}} */
  public String sql() {
    return sql;
  }
}
