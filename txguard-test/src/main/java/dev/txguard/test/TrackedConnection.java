package dev.txguard.test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A physical connection under a {@link FaultInjector}: counts the statements of the unit attempt
 * running on it and replaces one by a real failure when an active {@link Fault} says so.
 */
final class TrackedConnection implements InvocationHandler {
  /**
   * What txguard sends first in a unit with non-default options; not one of the unit's statements.
   */
  private static final Pattern PRELUDE =
      Pattern.compile(
          "(SET TRANSACTION ISOLATION LEVEL [A-Z ]+;)?(SET LOCAL statement_timeout = \\d+;SET LOCAL lock_timeout = \\d+;)?");

  /**
   * txguard's own question before COMMIT (the transaction id for resolving a lost COMMIT): not the
   * unit's.
   */
  private static final Pattern XID_QUERY =
      Pattern.compile(
          "SELECT (pg_current_xact_id_if_assigned|txid_current_if_assigned)\\(\\)::text");

  private static final Set<String> EXECUTE =
      Set.of(
          "execute",
          "executeQuery",
          "executeUpdate",
          "executeLargeUpdate",
          "executeBatch",
          "executeLargeBatch");

  final FaultInjector injector;
  final Connection real;

  /** Null for connections opened by the pools; else where it was opened, for leak reports. */
  final List<StackTraceElement> openedAt;

  private volatile UnitState unit;

  /** Where the last session advisory lock was taken on this connection, for leak reports. */
  volatile String advisoryLockSql;

  volatile List<StackTraceElement> advisoryLockAt;
  volatile boolean closed;

  /** The server process of this connection, once known (for matching pg_locks rows). */
  volatile int pid;

  private TrackedConnection(
      FaultInjector injector, Connection real, List<StackTraceElement> openedAt) {
    this.injector = injector;
    this.real = real;
    this.openedAt = openedAt;
  }

  static Connection wrap(
      FaultInjector injector, Connection real, List<StackTraceElement> openedAt) {
    TrackedConnection handler = new TrackedConnection(injector, real, openedAt);
    return (Connection)
        Proxy.newProxyInstance(
            TrackedConnection.class.getClassLoader(),
            new Class<?>[] {Connection.class, Tracked.class},
            handler);
  }

  void begin(UnitState state) {
    unit = state;
  }

  void end() {
    unit = null;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    switch (name) {
      case "tracking":
        return this;
      case "equals":
        return proxy == args[0];
      case "hashCode":
        return System.identityHashCode(proxy);
      case "toString":
        return "TrackedConnection[" + real + "]";
      case "isWrapperFor":
        return ((Class<?>) args[0]).isInstance(proxy) || real.isWrapperFor((Class<?>) args[0]);
      case "unwrap":
        return ((Class<?>) args[0]).isInstance(proxy) ? proxy : real.unwrap((Class<?>) args[0]);
      case "commit":
        commit();
        return null;
      case "rollback":
        if (args == null || args.length == 0) {
          unit = null;
        }
        break;
      case "close":
      case "abort":
        unit = null;
        closed = true;
        injector.closed(this);
        break;
      default:
        break;
    }
    Object result = call(method, real, args);
    if (result instanceof Statement statement && method.getReturnType().isInterface()) {
      String sql = args != null && args.length > 0 && args[0] instanceof String s ? s : null;
      return TrackedStatement.wrap(this, statement, method.getReturnType(), sql);
    }
    return result;
  }

  private void commit() throws SQLException {
    UnitState u = unit;
    if (u != null) {
      Fault fault = injector.point(u, 0, "COMMIT");
      if (fault != null) {
        unit = null;
        fail(fault, u, 0);
      }
    }
    unit = null;
    real.commit();
  }

  /** Called before a statement runs; throws the injected failure instead of running it. */
  void beforeStatement(String sql, boolean plain) throws SQLException {
    noteAdvisoryLock(sql);
    UnitState u = unit;
    if (u == null || (sql != null && XID_QUERY.matcher(sql).matches())) {
      return;
    }
    if (u.preludePossible) {
      u.preludePossible = false;
      if (plain && sql != null && !sql.isEmpty() && PRELUDE.matcher(sql).matches()) {
        return;
      }
    }
    u.position++;
    u.add(sql);
    Fault fault = injector.point(u, u.position, sql);
    if (fault != null) {
      fail(fault, u, u.position);
    }
  }

  private void noteAdvisoryLock(String sql) {
    if (sql != null && sql.contains("pg_advisory_lock")
        || sql != null && sql.contains("pg_try_advisory_lock")) {
      advisoryLockSql = sql;
      advisoryLockAt = FaultInjector.callerStack();
      try {
        pid = real.unwrap(org.postgresql.PGConnection.class).getBackendPID();
      } catch (SQLException e) {
        pid = 0; // not PostgreSQL's driver: the report falls back on the session's last query
      }
    }
  }

  /** Makes the fault happen for real and throws the driver's error. */
  private void fail(Fault fault, UnitState u, int position) throws SQLException {
    String where =
        (position == 0 ? "COMMIT" : "statement " + position)
            + " of unit '"
            + u.name
            + "' (attempt "
            + u.attempt
            + ")";
    String message = "txguard-test injected a " + fault.description + " at " + where;
    if (fault.sqlState.startsWith("08")) {
      unit = null;
      try {
        real.abort(Runnable::run);
      } catch (SQLException e) {
        // already closed: lost either way
      }
      throw new SQLException(message + "; the connection was closed", fault.sqlState);
    }
    SQLException raised = null;
    try (Statement st = real.createStatement()) {
      st.execute(
          "DO $txguard$ BEGIN RAISE EXCEPTION USING ERRCODE = '"
              + fault.sqlState
              + "', MESSAGE = '"
              + message.replace("'", "''")
              + "'; END $txguard$");
    } catch (SQLException e) {
      raised = e;
    }
    if (raised == null) {
      throw new IllegalStateException("the server did not raise the injected " + fault.description);
    }
    if (position == 0) {
      real.rollback(); // COMMIT failed: the transaction is gone, as after a failed commit
    }
    throw raised;
  }

  static Object call(Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** A statement of a tracked connection: runs {@link #beforeStatement} before every execution. */
  private static final class TrackedStatement implements InvocationHandler {
    private final TrackedConnection conn;
    private final Statement target;
    private final String preparedSql;

    private TrackedStatement(TrackedConnection conn, Statement target, String preparedSql) {
      this.conn = conn;
      this.target = target;
      this.preparedSql = preparedSql;
    }

    static Object wrap(TrackedConnection conn, Statement target, Class<?> type, String sql) {
      Class<?> iface =
          type == CallableStatement.class
              ? CallableStatement.class
              : type == PreparedStatement.class ? PreparedStatement.class : Statement.class;
      return Proxy.newProxyInstance(
          TrackedConnection.class.getClassLoader(),
          new Class<?>[] {iface},
          new TrackedStatement(conn, target, sql));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        case "isWrapperFor":
          return ((Class<?>) args[0]).isInstance(proxy) || target.isWrapperFor((Class<?>) args[0]);
        case "unwrap":
          return ((Class<?>) args[0]).isInstance(proxy) ? proxy : target.unwrap((Class<?>) args[0]);
        default:
          break;
      }
      if (EXECUTE.contains(method.getName())) {
        boolean plain = preparedSql == null;
        String sql =
            preparedSql != null
                ? preparedSql
                : args != null && args.length > 0 && args[0] instanceof String s ? s : "(batch)";
        conn.beforeStatement(sql, plain);
      }
      return call(method, target, args);
    }
  }
}
