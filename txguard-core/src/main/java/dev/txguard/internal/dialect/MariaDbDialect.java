package dev.txguard.internal.dialect;

import dev.txguard.Isolation;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * MariaDB (10.5 and later) and MySQL (8.0 and later) with InnoDB, through MariaDB Connector/J (or,
 * for MySQL, any driver; see {@link MariaDbDriver} for what needs MariaDB's). Error codes are the
 * servers' (MariaDB documentation, "MariaDB Error Codes"; MySQL Reference Manual, "Server Error
 * Message Reference"), classified in {@link MariaDbErrors}; the rules for reading SQL text are in
 * {@link MariaDbRules}. Immutable and thread-safe.
 *
 * <p>How each guarantee maps to the server:
 *
 * <ul>
 *   <li><b>An aborted unit</b>: InnoDB rolls back the whole transaction on a deadlock (1213) but
 *       only the statement on a lock wait timeout (1205, with the default {@code
 *       innodb_rollback_on_timeout=OFF}), and the connection goes on either way: the next statement
 *       silently opens a new transaction. The driver's status flag cannot tell the unit which
 *       happened in time, so this dialect publishes no transaction status ({@link
 *       #driverConnection} is null) and says that every failed statement aborts the transaction
 *       ({@link #errorAbortsTransaction}): after any error outside a savepoint the unit can only
 *       roll back, whether or not the server rolled back, and a caught deadlock can never commit
 *       the second half of a unit. A savepoint the server lost with the transaction makes ROLLBACK
 *       TO SAVEPOINT fail (1305), which keeps the unit aborted.
 *   <li><b>Time limits</b>: there is no {@code SET LOCAL}. The prelude saves the session's values
 *       in user variables and sets {@code max_statement_time} (MariaDB, seconds, every statement)
 *       or {@code max_execution_time} (MySQL, ms, read-only SELECT only) and {@code
 *       innodb_lock_wait_timeout} (whole seconds, rounded up); the epilogue puts the saved values
 *       back when the unit ends, before the connection returns to the pool.
 *   <li><b>Commit outcome</b>: there is no {@code pg_xact_status}; a connection lost during COMMIT
 *       is reported as an unknown outcome (CommitOutcomeUnknownException) and never retried, as on
 *       PostgreSQL.
 * </ul>
 */
final class MariaDbDialect implements Dialect {
  /** MariaDB, from {@code jdbc:mariadb:} or metadata product name "MariaDB". */
  static final MariaDbDialect MARIADB = new MariaDbDialect(false);

  /** MySQL, from {@code jdbc:mysql:} or metadata product name "MySQL". */
  static final MariaDbDialect MYSQL = new MariaDbDialect(true);

  /**
   * Whether MariaDB Connector/J is on the class path. Checked here, so that {@link MariaDbDriver},
   * which names its classes, is never loaded without it (MySQL Connector/J users).
   */
  private static final boolean MARIADB_DRIVER = present("org.mariadb.jdbc.Connection");

  /** The pool's session setup: standard syntax both servers know, for the session. */
  private static final String SESSION_SETUP =
      "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED, READ WRITE";

  private final boolean mysql;
  private final SqlReader reader = new SqlReader(MariaDbRules.RULES);

  private MariaDbDialect(boolean mysql) {
    this.mysql = mysql;
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, MariaDbDialect.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  @Override
  public String name() {
    return mysql ? "MySQL" : "MariaDB";
  }

  /**
   * {@code connectTimeout} in ms, which MariaDB Connector/J and MySQL Connector/J read the same way
   * (the socket connect and, in MariaDB's, the handshake), and MariaDB Connector/J's {@code
   * useResetConnection=true}, without which its {@code reset()} sends no COM_RESET_CONNECTION (see
   * {@link MariaDbDriver#reset}).
   */
  @Override
  public java.util.Map<String, String> connectProperties(long connectionTimeoutMs) {
    return java.util.Map.of(
        "connectTimeout", String.valueOf(connectionTimeoutMs), "useResetConnection", "true");
  }

  /** See {@link MariaDbErrors#retryable}. */
  @Override
  public boolean retryable(SQLException e) {
    return MariaDbErrors.retryable(e);
  }

  /** See {@link MariaDbErrors#connectionLost}. */
  @Override
  public boolean connectionLost(SQLException e) {
    return MariaDbErrors.connectionLost(e);
  }

  /** See {@link MariaDbErrors#cancelled}. */
  @Override
  public boolean cancelled(SQLException e) {
    return MariaDbErrors.cancelled(e);
  }

  /** See {@link MariaDbErrors#lockNotAvailable}. */
  @Override
  public boolean lockNotAvailable(SQLException e) {
    return MariaDbErrors.lockNotAvailable(e);
  }

  /** Null: the unit tracks failed statements itself (see the class comment, "An aborted unit"). */
  @Override
  public Connection driverConnection(Connection pooled) {
    return null;
  }

  @Override
  public TransactionState transactionState(Connection driver) {
    throw new IllegalStateException(
        name() + " publishes no transaction status; driverConnection is null");
  }

  /** Always: txguard's rule, not the server's (see the class comment). */
  @Override
  public boolean errorAbortsTransaction() {
    return true;
  }

  @Override
  public ConnectionLimit connectionLimit(Connection conn, int ownOpen) throws SQLException {
    return ConnectionLimit.mariaDb(conn, ownOpen);
  }

  /**
   * MariaDB Connector/J's {@code cancelCurrentQuery()} (KILL QUERY); nothing with other drivers.
   */
  @Override
  public void cancelRunningStatement(Connection pooled) throws SQLException {
    if (MARIADB_DRIVER) {
      MariaDbDriver.cancel(pooled);
    }
  }

  /** See {@link MariaDbLimits#prelude}. */
  @Override
  public String unitPrelude(Isolation isolation, boolean readOnly, long timeoutMs) {
    return MariaDbLimits.prelude(mysql, isolation, readOnly, timeoutMs);
  }

  /** See {@link MariaDbLimits#epilogue}. */
  @Override
  public String unitEpilogue(Isolation isolation, boolean readOnly, long timeoutMs) {
    return MariaDbLimits.epilogue(mysql, isolation, readOnly, timeoutMs);
  }

  @Override
  public String sessionSetup() {
    return SESSION_SETUP;
  }

  /** Null: the servers have no application name setting. */
  @Override
  public String applicationName(Connection pooled) {
    return null;
  }

  /**
   * {@code COM_RESET_CONNECTION} through MariaDB Connector/J ({@link MariaDbDriver#reset}): user
   * and session variables, temporary tables, prepared statements, {@code GET_LOCK} locks, the
   * current database; then the session setup. Without that driver, against a MySQL server (to which
   * it sends no COM_RESET_CONNECTION), or without {@code useResetConnection=true} (set for URLs; a
   * DataSource's owner sets it), it throws, and the connection is closed instead of reset.
   */
  @Override
  public void resetSession(Connection conn, String applicationName) throws SQLException {
    if (!MARIADB_DRIVER) {
      throw new SQLException(
          "the session cannot be reset without MariaDB Connector/J (COM_RESET_CONNECTION);"
              + " the connection is closed instead");
    }
    MariaDbDriver.reset(conn);
    try (Statement st = conn.createStatement()) {
      st.execute(SESSION_SETUP);
    }
  }

  /**
   * {@link GetLockSql}'s slots, held by the session until the unit ends: the statement's text names
   * {@code get_lock}, so the unit's session is reset (releasing every lock) when it ends.
   */
  @Override
  public String transactionLock(boolean shared) {
    return GetLockSql.lock(shared, false);
  }

  @Override
  public String tryTransactionLock() {
    return GetLockSql.tryLock();
  }

  /** Null: no array parameters; the runtime takes the locks one by one in ascending order. */
  @Override
  public String transactionLockAll() {
    return null;
  }

  /** {@code IN (?, ...)} with one parameter per id; ORDER BY ... FOR UPDATE locks in that order. */
  @Override
  public String lockRows(String table, String idColumn, int count) {
    return "select 1 from "
        + table
        + " where "
        + idColumn
        + " in ("
        + String.join(", ", Collections.nCopies(count, "?"))
        + ") order by "
        + idColumn
        + " for update";
  }

  @Override
  public boolean bindsArrays() {
    return false;
  }

  @Override
  public String sessionLock(boolean shared) {
    return GetLockSql.lock(shared, true);
  }

  @Override
  public String trySessionLock() {
    return GetLockSql.tryLock();
  }

  @Override
  public String sessionUnlock(boolean shared) {
    return GetLockSql.unlock(shared);
  }

  /**
   * The deadline of the next {@link #sessionLock}, in a session variable: GET_LOCK takes its wait
   * as an argument.
   */
  @Override
  public String transactionLockTimeout(long ms) {
    return GetLockSql.deadline(ms);
  }

  @Override
  public boolean lockGrantInResult() {
    return true;
  }

  /**
   * MariaDB: {@code INSERT ... ON DUPLICATE KEY UPDATE k = k RETURNING} (10.5+), which returns the
   * inserted row, or the existing one on a conflict. Unlike PostgreSQL's ON CONFLICT (key), it
   * reacts to a conflict on any unique key of the table, and it locks the existing row. MySQL has
   * no RETURNING: the insert returns no rows ({@link #insertReturnsRow}) and the row is read after
   * it.
   */
  @Override
  public String insertUnlessConflict(
      String table, List<String> columns, List<String> keyColumns, String returning) {
    String first = keyColumns.get(0);
    return "insert into "
        + table
        + " ("
        + String.join(", ", columns)
        + ") values ("
        + columns.stream().map(c -> "?").collect(Collectors.joining(", "))
        + ") on duplicate key update "
        + first
        + " = "
        + first
        + (mysql ? "" : " returning " + returning);
  }

  @Override
  public boolean insertReturnsRow() {
    return !mysql;
  }

  @Override
  public SqlReader reader() {
    return reader;
  }

  @Override
  public String toString() {
    return name();
  }
}
