package dev.txguard.internal.dialect;

import dev.txguard.Isolation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * PostgreSQL (12 and later, through pgjdbc). Where each rule comes from is named on the method;
 * SQLSTATEs are PostgreSQL's (documentation, Appendix A "PostgreSQL Error Codes"). The transaction
 * status comes from {@link PgjdbcState}, the only use of a pgjdbc internal class, with its
 * fallback. Immutable and thread-safe.
 */
final class PostgresDialect implements Dialect {
  /**
   * The transaction characteristics every pooled session has, whatever the server's or role's
   * defaults say (set_config with is_local false: for the session).
   */
  private static final String SESSION_SETUP =
      "select set_config('default_transaction_isolation', 'read committed', false),"
          + " set_config('default_transaction_read_only', 'off', false),"
          + " set_config('default_transaction_deferrable', 'off', false)";

  /** Declared after the rules, which its reader needs when the class initializes. */
  static final PostgresDialect INSTANCE = new PostgresDialect();

  private final SqlReader reader = new SqlReader(PostgresRules.RULES);

  private PostgresDialect() {}

  @Override
  public String name() {
    return "PostgreSQL";
  }

  /**
   * pgjdbc's {@code loginTimeout} (seconds, fractional) and {@code connectTimeout} (whole seconds).
   */
  @Override
  public java.util.Map<String, String> connectProperties(long connectionTimeoutMs) {
    return java.util.Map.of(
        "loginTimeout",
        String.valueOf(connectionTimeoutMs / 1000.0),
        "connectTimeout",
        String.valueOf((connectionTimeoutMs + 999) / 1000));
  }

  /** 40001 serialization_failure, 40P01 deadlock_detected. */
  @Override
  public boolean retryable(SQLException e) {
    String sqlState = e.getSQLState();
    return "40001".equals(sqlState) || "40P01".equals(sqlState);
  }

  /**
   * Class 08 (connection exception), 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03
   * cannot_connect_now; but not a class 08 error the server sent with severity ERROR, after which
   * its session goes on (documentation, "Message Severity Levels": ERROR aborts the command, FATAL
   * the session): a foreign server that postgres_fdw or dblink could not reach (08001), a function
   * raising such a code, a bind message the server refused (08P01). Such an error fails the unit as
   * any statement's error does, with no retry for a lost connection. Only the English severity is
   * known for ERROR: a server whose {@code lc_messages} translates it keeps the class 08 rule.
   */
  @Override
  public boolean connectionLost(SQLException e) {
    String sqlState = e.getSQLState();
    return sqlState != null
        && ((sqlState.startsWith("08") && !sentWithSessionKept(e))
            || sqlState.equals("57P01")
            || sqlState.equals("57P02")
            || sqlState.equals("57P03"));
  }

  /** Whether the server sent {@code e} as an ERROR (pgjdbc's copy of its severity field). */
  private static boolean sentWithSessionKept(SQLException e) {
    ServerErrorMessage sent = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
    return sent != null && "ERROR".equals(sent.getSeverity());
  }

  /** 57014 query_canceled (statement_timeout, a cancel request), 55P03 lock_not_available. */
  @Override
  public boolean cancelled(SQLException e) {
    return "57014".equals(e.getSQLState()) || lockNotAvailable(e);
  }

  /** 55P03 lock_not_available (lock_timeout, NOWAIT). */
  @Override
  public boolean lockNotAvailable(SQLException e) {
    return "55P03".equals(e.getSQLState());
  }

  @Override
  public Connection driverConnection(Connection pooled) {
    return PgjdbcState.driverConnection(pooled);
  }

  @Override
  public TransactionState transactionState(Connection driver) {
    return PgjdbcState.state(driver);
  }

  /** "current transaction is aborted, commands ignored until end of transaction block" (25P02). */
  @Override
  public boolean errorAbortsTransaction() {
    return true;
  }

  @Override
  public ConnectionLimit connectionLimit(Connection conn, int ownOpen) throws SQLException {
    return ConnectionLimit.postgres(conn, ownOpen);
  }

  /** pgjdbc's public {@link PGConnection#cancelQuery()}: a CancelRequest on a new socket. */
  @Override
  public void cancelRunningStatement(Connection pooled) throws SQLException {
    if (pooled.isWrapperFor(PGConnection.class)) {
      pooled.unwrap(PGConnection.class).cancelQuery();
    }
  }

  /**
   * SET TRANSACTION for non-default characteristics; SET LOCAL statement_timeout and lock_timeout
   * (ms; documentation, "Client Connection Defaults") for a time limit. pgjdbc sends BEGIN in the
   * same round trip.
   */
  @Override
  public String unitPrelude(Isolation isolation, boolean readOnly, long timeoutMs) {
    boolean characteristics = isolation != Isolation.READ_COMMITTED || readOnly;
    if (!characteristics && timeoutMs <= 0) {
      return null;
    }
    StringBuilder prelude = new StringBuilder(128);
    if (characteristics) {
      prelude.append("SET TRANSACTION ISOLATION LEVEL ").append(isolation.sql());
      prelude.append(readOnly ? " READ ONLY" : " READ WRITE").append(';');
    }
    if (timeoutMs > 0) {
      prelude.append("SET LOCAL statement_timeout = ").append(timeoutMs).append(';');
      prelude.append("SET LOCAL lock_timeout = ").append(timeoutMs).append(';');
    }
    return prelude.toString();
  }

  @Override
  public boolean readOnlyByDriver() {
    return true;
  }

  @Override
  public String sessionSetup() {
    return SESSION_SETUP;
  }

  /**
   * The application_name the server last reported (ParameterStatus), through pgjdbc's public API.
   */
  @Override
  public String applicationName(Connection pooled) {
    try {
      return pooled.isWrapperFor(PGConnection.class)
          ? pooled.unwrap(PGConnection.class).getParameterStatus("application_name")
          : null;
    } catch (SQLException e) {
      return null;
    }
  }

  /**
   * DISCARD ALL (documentation, "DISCARD": settings, search path, role, advisory locks, temporary
   * tables, LISTEN, prepared statements, cursors, sequence state), then the session setup and the
   * application name the driver set after login, in one more round trip.
   */
  @Override
  public void resetSession(Connection conn, String applicationName) throws SQLException {
    try (Statement st = conn.createStatement()) {
      st.execute("DISCARD ALL");
    }
    String restore =
        applicationName == null
            ? SESSION_SETUP
            : SESSION_SETUP + ", set_config('application_name', ?, false)";
    try (PreparedStatement ps = conn.prepareStatement(restore)) {
      if (applicationName != null) {
        ps.setString(1, applicationName);
      }
      ps.execute();
    }
  }

  /** The two-key advisory lock functions (documentation, "Advisory Lock Functions"). */
  @Override
  public String transactionLock(boolean shared) {
    return shared
        ? "select pg_advisory_xact_lock_shared(?, ?)"
        : "select pg_advisory_xact_lock(?, ?)";
  }

  @Override
  public String tryTransactionLock() {
    return "select pg_try_advisory_xact_lock(?, ?)";
  }

  /** unnest emits the sorted array in order, so the locks are taken in ascending id order. */
  @Override
  public String transactionLockAll() {
    return "select pg_advisory_xact_lock(?, k) from unnest(?::int[]) as k";
  }

  @Override
  public String sessionLock(boolean shared) {
    return shared ? "select pg_advisory_lock_shared(?, ?)" : "select pg_advisory_lock(?, ?)";
  }

  @Override
  public String trySessionLock() {
    return "select pg_try_advisory_lock(?, ?)";
  }

  @Override
  public String sessionUnlock(boolean shared) {
    return shared ? "select pg_advisory_unlock_shared(?, ?)" : "select pg_advisory_unlock(?, ?)";
  }

  @Override
  public String transactionLockTimeout(long ms) {
    return "SET LOCAL lock_timeout = " + Math.max(1, ms);
  }

  /** {@code = any(?)} with one int[] parameter; ORDER BY sits below the row-locking step. */
  @Override
  public String lockRows(String table, String idColumn, int count) {
    return "select 1 from "
        + table
        + " where "
        + idColumn
        + " = any(?) order by "
        + idColumn
        + " for update";
  }

  @Override
  public boolean bindsArrays() {
    return true;
  }

  /** INSERT ... ON CONFLICT (key) DO NOTHING RETURNING (documentation, "INSERT", 9.5+). */
  @Override
  public String insertUnlessConflict(
      String table, List<String> columns, List<String> keyColumns, String returning) {
    return "insert into "
        + table
        + " ("
        + String.join(", ", columns)
        + ") values ("
        + columns.stream().map(c -> "?").collect(Collectors.joining(", "))
        + ") on conflict ("
        + String.join(", ", keyColumns)
        + ") do nothing returning "
        + returning;
  }

  @Override
  public SqlReader reader() {
    return reader;
  }

  @Override
  public String toString() {
    return name();
  }

  /**
   * PostgreSQL 10+ answers {@code pg_xact_status} / {@code txid_status}; checked per server by the
   * resolver.
   */
  @Override
  public boolean resolvesLostCommits() {
    return true;
  }

  /** pgjdbc's public {@code PGConnection.getBackendPID()}: no round trip. */
  @Override
  public int backendPid(Connection pooled) {
    try {
      return pooled.isWrapperFor(PGConnection.class)
          ? pooled.unwrap(PGConnection.class).getBackendPID()
          : 0;
    } catch (SQLException e) {
      return 0;
    }
  }
}
