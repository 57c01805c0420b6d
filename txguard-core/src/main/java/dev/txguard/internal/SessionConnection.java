package dev.txguard.internal;

import dev.txguard.internal.dialect.SqlVerdict;
import dev.txguard.internal.dialect.TransactionState;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A pooled connection lent by {@code db.dataSource()} outside any unit. The borrower may do what it
 * likes with its session; when it closes the connection, whatever it changed (seen from its SQL and
 * JDBC setters, as for a unit) is reset, and a connection that cannot be reset is discarded, before
 * the pool lends it again. Work left uncommitted in manual-commit mode is rolled back, as JDBC
 * pools do. Confined to the borrower's thread.
 */
final class SessionConnection implements InvocationHandler, StatementWatcher {
  private final Connection conn;
  private final Pool pool;
  private SessionState session;

  /**
   * Whether the borrower sent transaction control as SQL (BEGIN...): what the connection's close
   * checks when the driver cannot tell its transaction status.
   */
  private boolean sentControl;

  /** The proxy this handler serves, which statements' getConnection() return. */
  private Connection self;

  private SessionConnection(Connection conn, Pool pool) {
    this.conn = conn;
    this.pool = pool;
  }

  static Connection wrap(Connection pooled, Pool pool) {
    SessionConnection handler = new SessionConnection(pooled, pool);
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
        return "txguard DataSource connection[" + conn + "]";
      case "close":
        close();
        return null;
      default:
        break;
    }
    return forward(method, conn, args);
  }

  @Override
  public SessionState session() {
    if (session == null) {
      session = new SessionState(conn, pool.dialect);
    }
    return session;
  }

  private void close() throws SQLException {
    if (conn.isClosed()) {
      return;
    }
    try {
      endOpenTransaction();
    } catch (SQLException | RuntimeException e) {
      Engine.LOG.debug(
          "rolling back a DataSource connection's open transaction failed, discarding it: {}",
          e.toString());
      pool.evict(conn);
      return;
    }
    if (session != null) {
      try {
        session.reset(conn);
        session = null;
      } catch (SQLException | RuntimeException e) {
        Engine.LOG.debug(
            "resetting a DataSource connection's session failed, discarding it: {}", e.toString());
        pool.evict(conn);
        return;
      }
    }
    conn.close();
  }

  /**
   * Rolls back whatever transaction the borrower left open: in manual-commit mode, or begun by SQL
   * ({@code BEGIN}) in autocommit mode, which the driver reports through its transaction state
   * (when it cannot, any transaction control the borrower sent makes the close send ROLLBACK).
   */
  private void endOpenTransaction() throws SQLException {
    if (!conn.getAutoCommit()) {
      conn.rollback();
      return;
    }
    Connection driver = pool.dialect.driverConnection(conn);
    boolean open =
        driver != null
            ? pool.dialect.transactionState(driver) != TransactionState.IDLE
            : sentControl;
    if (open) {
      try (Statement st = conn.createStatement()) {
        st.execute("ROLLBACK");
      }
    }
  }

  @Override
  public void beforeSql(String sql) {
    if (sql == null) {
      return;
    }
    SqlVerdict verdict = pool.dialect.reader().verdict(sql);
    sentControl |= verdict.control() != null;
    if (verdict.session()) {
      session().serverChanged();
    }
  }

  @Override
  public void afterExecute(String sql) {
    // outside a unit the borrower owns its transactions
  }

  @Override
  public void failed(SQLException e, String sql) {
    // outside a unit nothing is aborted on the borrower's behalf
  }

  @Override
  public Connection connection() {
    return self;
  }
}
