package dev.txguard.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Sees the SQL that statements of a wrapped connection run: before it runs (to refuse or note it),
 * after it ran, and when it failed. Implemented by the connection wrappers; the statements they
 * create are wrapped by {@link #wrap}.
 */
interface StatementWatcher {
  /** Called before {@code sql} (null when unknown) is prepared, executed or batched. */
  void beforeSql(String sql) throws SQLException;

  /** Called after an execute method returned normally; {@code sql} may be null. */
  void afterExecute(String sql);

  /** Called when a call failed with {@code e}; {@code sql} may be null. */
  void failed(SQLException e, String sql);

  /** What a wrapped statement's {@code getConnection()} returns. */
  Connection connection();

  /** The session bookkeeping of the borrower, created on its first change. */
  SessionState session();

  /**
   * Forwards a call of the watched connection to {@code target}: SQL it prepares is admitted first,
   * JDBC state it changes (or an {@code unwrap}, after which nothing is seen) is noted for the
   * reset, and the statements and metadata it returns are watched too.
   */
  default Object forward(Method method, Connection target, Object[] args) throws Throwable {
    String name = method.getName();
    String sql = args != null && args.length > 0 && args[0] instanceof String s ? s : null;
    if (name.startsWith("prepare")) {
      beforeSql(sql);
    } else if (SessionState.SETTERS.contains(name)) {
      session().beforeSetter(name, target);
    } else if (name.equals("unwrap")) {
      session().beforeUnwrap(target);
    }
    Object result = call(this, method, target, args, sql);
    if (result instanceof Statement statement && method.getReturnType().isInterface()) {
      return wrap(this, statement, method.getReturnType(), sql);
    }
    if (result instanceof DatabaseMetaData metaData) {
      return wrap(this, metaData);
    }
    return result;
  }

  /** Invokes {@code method} on {@code target}, reporting an {@link SQLException} to the watcher. */
  static Object call(
      StatementWatcher watcher, Method method, Object target, Object[] args, String sql)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLException sqlError) {
        watcher.failed(sqlError, sql);
      }
      throw cause;
    }
  }

  /**
   * Wraps a statement created by a watched connection, of the interface {@code type} it was
   * returned as.
   */
  static Object wrap(
      StatementWatcher watcher, Statement target, Class<?> type, String preparedSql) {
    Class<?> iface =
        type == CallableStatement.class
            ? CallableStatement.class
            : type == PreparedStatement.class ? PreparedStatement.class : Statement.class;
    return Proxy.newProxyInstance(
        Connection.class.getClassLoader(),
        new Class<?>[] {iface},
        new Watched(watcher, target, preparedSql));
  }

  /**
   * Wraps a connection's {@link DatabaseMetaData}, whose {@code getConnection()} must return the
   * watched connection, not the one underneath.
   */
  static DatabaseMetaData wrap(StatementWatcher watcher, DatabaseMetaData target) {
    return (DatabaseMetaData)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {DatabaseMetaData.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getConnection" -> watcher.connection();
                  case "equals" -> proxy == args[0];
                  case "hashCode" -> System.identityHashCode(proxy);
                  default -> call(watcher, method, target, args, null);
                });
  }

  /** The handler of a watched statement. */
  final class Watched implements InvocationHandler {
    private final StatementWatcher watcher;
    private final Statement target;
    private final String preparedSql;

    private Watched(StatementWatcher watcher, Statement target, String preparedSql) {
      this.watcher = watcher;
      this.target = target;
      this.preparedSql = preparedSql;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      switch (name) {
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        case "getConnection":
          return watcher.connection();
        default:
          break;
      }
      String text = args != null && args.length > 0 && args[0] instanceof String s ? s : null;
      boolean execute = name.startsWith("execute");
      if (text != null && (execute || name.equals("addBatch"))) {
        watcher.beforeSql(text);
      }
      String sql = text != null ? text : preparedSql;
      Object result = call(watcher, method, target, args, sql);
      if (execute) {
        watcher.afterExecute(sql);
      }
      return result;
    }
  }
}
