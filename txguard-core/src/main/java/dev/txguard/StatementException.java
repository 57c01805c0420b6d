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
    super(describe(cause) + " in: " + abbreviate(sql) + hint(cause.getSQLState()), cause);
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

  /**
   * What to do about a statement run by the wrong method: pgjdbc reports rows from {@code
   * executeUpdate} as SQLSTATE 0100E ("A result was returned when none was expected") and no rows
   * from {@code executeQuery} as 02000 ("No results were returned by the query").
   */
  static String hint(String sqlState) {
    if ("0100E".equals(sqlState)) {
      return "; the statement returned rows: run it with tx.query or tx.queryOne (tx.update is for"
          + " statements that return a row count)";
    }
    if ("02000".equals(sqlState)) {
      return "; the statement returned no result set: run a statement without RETURNING with"
          + " tx.update, or add RETURNING to get rows from it";
    }
    return "";
  }

  static String abbreviate(String sql) {
    String oneLine = sql.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 197) + "...";
  }
}
