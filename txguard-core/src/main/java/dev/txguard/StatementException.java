package dev.txguard;

import java.sql.SQLException;

/**
 * A statement run through {@link Tx} failed. The cause is the driver's {@link SQLException}; {@link
 * #sqlState()} and {@link #sql()} say which error and which statement. On PostgreSQL the unit is
 * aborted from here on: later statements fail with {@link TransactionAbortedException} unless the
 * failing statement ran inside {@link Tx#savepoint}.
 */
public class StatementException extends TxException {
  private final String sql;
  private final String sqlState;

  /**
   * Creates the exception.
   *
   * @param sql the statement that failed
   * @param cause the driver's error
   */
  public StatementException(String sql, SQLException cause) {
    super(describe(cause) + " in: " + abbreviate(sql), cause);
    this.sql = sql;
    this.sqlState = cause.getSQLState();
  }

  /** {@return the failed statement's SQL text} */
  public String sql() {
    return sql;
  }

  /**
   * The SQLSTATE the database reported, e.g. {@code "23505"}; {@code null} if the driver gave none.
   *
   * @return five characters, the first two its class (e.g. {@code "23"}, integrity constraint
   *     violation); or null
   */
  public String sqlState() {
    return sqlState;
  }

  static String describe(SQLException e) {
    String msg = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
    return "SQLSTATE " + e.getSQLState() + " (" + msg + ")";
  }

  static String abbreviate(String sql) {
    String oneLine = sql.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 197) + "...";
  }
}
