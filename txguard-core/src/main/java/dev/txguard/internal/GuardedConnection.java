package dev.txguard.internal;

import dev.txguard.Isolation;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * The connection a unit lends out through {@code tx.connection()} and, inside a unit, {@code
 * db.dataSource()}: the real pooled connection, minus the calls that would end or detach the unit's
 * transaction behind its back or run it with other options than its own. SQL sent through it, or
 * through the statements it creates, is admitted by the unit first (transaction control is refused,
 * session changes are noted for the reset at release), and failures are reported to the unit, so a
 * later message can name the first error.
 */
final class GuardedConnection implements InvocationHandler, StatementWatcher {
  private static final Set<String> REFUSED = Set.of("commit", "close", "setAutoCommit", "abort");

  private final Unit unit;

  /** Lent through the DataSource view: close() gives the connection back to the unit, a no-op. */
  private final boolean lent;

  private boolean lentClosed;

  /** The proxy this handler serves, which its statements' and metadata's getConnection() return. */
  private Connection self;

  private GuardedConnection(Unit unit, boolean lent) {
    this.unit = unit;
    this.lent = lent;
    unit.connectionLent(); // what goes through it unwrapped cannot be seen
  }

  static Connection wrap(Unit unit) {
    return proxy(new GuardedConnection(unit, false));
  }

  /** The unit's connection for code that got it from a DataSource and will close it. */
  static Connection lend(Unit unit) {
    return proxy(new GuardedConnection(unit, true));
  }

  private static Connection proxy(GuardedConnection handler) {
    handler.self =
        (Connection)
            Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
    return handler.self;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    switch (name) {
      case "equals":
        return proxy == args[0];
      case "hashCode":
        return System.identityHashCode(proxy);
      case "toString":
        return "GuardedConnection[" + unit + "]";
      case "isClosed":
        return lentClosed || !unit.active();
      case "close":
        if (lent) {
          lentClosed = true;
          return null;
        }
        break;
      case "setReadOnly":
        return checkReadOnly((Boolean) args[0]);
      case "setTransactionIsolation":
        return checkIsolation((Integer) args[0]);
      default:
        break;
    }
    refuseTransactionControl(name, args);
    unit.checkOpen();
    return forward(method, unit.conn, args);
  }

  /** commit, rollback (whole), setAutoCommit...: the unit's alone. */
  private void refuseTransactionControl(String name, Object[] args) {
    if (REFUSED.contains(name) || (name.equals("rollback") && (args == null || args.length == 0))) {
      throw new IllegalStateException(
          "Connection."
              + name
              + "() is not allowed on the connection of unit '"
              + unit.name()
              + "': the unit ends its transaction itself (it commits when the callback returns and"
              + " rolls back when it throws); use tx.savepoint(...) for a partial rollback");
    }
  }

  /** A unit runs with its own read-only mode: setting the same is a no-op, another is refused. */
  private Object checkReadOnly(boolean readOnly) {
    if (readOnly != unit.options.readOnly()) {
      throw new IllegalStateException(
          "Connection.setReadOnly("
              + readOnly
              + ") is not allowed on the connection"
              + " of unit '"
              + unit.name()
              + "', which is "
              + (unit.options.readOnly() ? "read-only" : "read-write")
              + ": give the unit TxOptions.readOnly("
              + readOnly
              + ") instead");
    }
    return null;
  }

  /** A unit runs with its own isolation level: setting the same is a no-op, another is refused. */
  private Object checkIsolation(int level) {
    Isolation own = unit.options.isolation();
    if (level != jdbcLevel(own)) {
      throw new IllegalStateException(
          "Connection.setTransactionIsolation("
              + level
              + ") is not allowed on the"
              + " connection of unit '"
              + unit.name()
              + "', which runs at "
              + own
              + ": give the unit"
              + " TxOptions.isolation(...) instead");
    }
    return null;
  }

  private static int jdbcLevel(Isolation isolation) {
    return switch (isolation) {
      case READ_COMMITTED -> Connection.TRANSACTION_READ_COMMITTED;
      case REPEATABLE_READ -> Connection.TRANSACTION_REPEATABLE_READ;
      case SERIALIZABLE -> Connection.TRANSACTION_SERIALIZABLE;
    };
  }

  @Override
  public void beforeSql(String sql) throws SQLException {
    unit.checkOpen();
    unit.checkTransactionOpen(null);
    unit.admit(sql);
  }

  @Override
  public void afterExecute(String sql) {
    unit.afterStatement(sql);
  }

  @Override
  public void failed(SQLException e, String sql) {
    unit.noteError(e, sql);
  }

  @Override
  public Connection connection() {
    return self;
  }

  @Override
  public SessionState session() {
    return unit.session();
  }
}
