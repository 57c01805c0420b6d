package dev.txguard.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * The connection a unit lends out through {@code tx.connection()}: the real pooled connection,
 * minus the calls that would end or detach the unit's transaction behind its back. Statements
 * created from it report their errors to the unit, so a later message can name the first error.
 */
final class GuardedConnection implements InvocationHandler {
  private static final Set<String> REFUSED = Set.of("commit", "close", "setAutoCommit", "abort");

  private final Unit unit;
  /** Lent through the DataSource view: close() gives the connection back to the unit, a no-op. */
  private final boolean lent;
  private boolean lentClosed;

  private GuardedConnection(Unit unit, boolean lent) {
    this.unit = unit;
    this.lent = lent;
  }

  static Connection wrap(Unit unit) {
    return proxy(new GuardedConnection(unit, false));
  }

  /** The unit's connection for code that got it from a DataSource and will close it. */
  static Connection lend(Unit unit) {
    return proxy(new GuardedConnection(unit, true));
  }

  private static Connection proxy(GuardedConnection handler) {
    return (Connection) Proxy.newProxyInstance(
        Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
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
      default:
        break;
    }
    if (REFUSED.contains(name) || (name.equals("rollback") && (args == null || args.length == 0))) {
      throw new IllegalStateException(
          "Connection." + name + "() is not allowed on the connection of unit '" + unit.name()
              + "': the unit ends its transaction itself (it commits when the callback returns and"
              + " rolls back when it throws); use tx.savepoint(...) for a partial rollback");
    }
    unit.checkOpen();
    Object result = call(method, unit.conn, args, null);
    if (result instanceof Statement statement && method.getReturnType().isInterface()) {
      String sql = args != null && args.length > 0 && args[0] instanceof String s ? s : null;
      return StatementGuard.wrap(unit, statement, method.getReturnType(), sql);
    }
    return result;
  }

  private Object call(Method method, Object target, Object[] args, String sql) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLException sqlError) {
        unit.noteError(sqlError, sql);
      }
      throw cause;
    }
  }

  /** Reports a statement's SQL errors to its unit. */
  private static final class StatementGuard implements InvocationHandler {
    private final Unit unit;
    private final Statement target;
    private final String preparedSql;

    private StatementGuard(Unit unit, Statement target, String preparedSql) {
      this.unit = unit;
      this.target = target;
      this.preparedSql = preparedSql;
    }

    static Object wrap(Unit unit, Statement target, Class<?> type, String sql) {
      Class<?> iface = type == CallableStatement.class ? CallableStatement.class
          : type == PreparedStatement.class ? PreparedStatement.class : Statement.class;
      return Proxy.newProxyInstance(
          Connection.class.getClassLoader(), new Class<?>[] {iface}, new StatementGuard(unit, target, sql));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        case "getConnection":
          return GuardedConnection.wrap(unit);
        default:
          break;
      }
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof SQLException sqlError) {
          String sql = preparedSql != null ? preparedSql
              : args != null && args.length > 0 && args[0] instanceof String s ? s : null;
          unit.noteError(sqlError, sql);
        }
        throw cause;
      }
    }
  }
}
