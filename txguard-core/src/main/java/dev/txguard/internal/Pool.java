package dev.txguard.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.txguard.PoolStats;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import javax.sql.DataSource;

/** One level's HikariCP pool. Thread-safe. */
final class Pool implements AutoCloseable {
  final int level;
  final int size;
  final long connectionTimeoutMs;
  private final HikariDataSource ds;
  private final HikariPool hikari;

  Pool(int level, int size, long connectionTimeoutMs, Source source, String name) {
    this.level = level;
    this.size = size;
    this.connectionTimeoutMs = connectionTimeoutMs;
    HikariConfig config = new HikariConfig();
    source.configure(config);
    config.setPoolName(name + "-L" + level);
    config.setMaximumPoolSize(size);
    // level 0 keeps its connections warm; upper levels open connections only when needed
    config.setMinimumIdle(level == 0 ? size : 0);
    config.setConnectionTimeout(connectionTimeoutMs);
    config.setAutoCommit(false);
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    this.ds = new HikariDataSource(config);
    this.hikari = (HikariPool) ds.getHikariPoolMXBean();
  }

  /** Where connections come from: a JDBC URL with credentials, or a user's DataSource. */
  record Source(String url, String user, String password, DataSource dataSource) {
    void configure(HikariConfig config) {
      if (dataSource != null) {
        config.setDataSource(dataSource);
      } else {
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
      }
    }

    /** A new connection straight from the source, not from any pool. */
    Connection open() throws SQLException {
      return dataSource != null ? dataSource.getConnection() : DriverManager.getConnection(url, user, password);
    }

    String describe() {
      return dataSource != null ? "the given DataSource" : url + (user == null ? "" : " as " + user);
    }
  }

  /**
   * Borrows a connection, waiting at most {@code timeoutMs}.
   *
   * @throws SQLTransientConnectionException when none became free in time
   */
  Connection borrow(long timeoutMs) throws SQLException {
    return hikari.getConnection(timeoutMs);
  }

  /** Takes a borrowed connection out of the pool for good, freeing its slot. */
  void evict(Connection conn) {
    ds.evictConnection(conn);
  }

  PoolStats stats() {
    return new PoolStats(level, size, hikari.getActiveConnections(), hikari.getIdleConnections(),
        hikari.getThreadsAwaitingConnection());
  }

  /** The pool as a plain DataSource (connections come with autocommit off). */
  DataSource dataSource() {
    return ds;
  }

  @Override
  public void close() {
    ds.close();
  }
}
