package dev.txguard.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.txguard.PoolStats;
import dev.txguard.internal.dialect.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import javax.sql.DataSource;

/** One level's HikariCP pool. Thread-safe. */
final class Pool implements AutoCloseable {
  final int level;
  final int size;
  final long connectionTimeoutMs;
  final Dialect dialect;
  private final HikariDataSource ds;
  private final HikariPoolMXBean stats;
  private final HikariBorrowing borrowing;

  Pool(
      int level,
      int size,
      long connectionTimeoutMs,
      ConnectionSource source,
      String name,
      Dialect dialect) {
    this.dialect = dialect;
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
    // every session starts READ COMMITTED, READ WRITE whatever the server's or role's defaults say,
    // so a unit with default options (which sends no SET TRANSACTION) runs with them
    config.setConnectionInitSql(dialect.sessionSetup());
    // ...committed at once: without this HikariCP leaves it in an open transaction (autocommit is
    // off), so an idle pooled session sits "idle in transaction", and a first unit that rolls back
    // would undo it
    config.setIsolateInternalQueries(true);
    this.ds = new HikariDataSource(config);
    this.stats = ds.getHikariPoolMXBean();
    this.borrowing = HikariBorrowing.of(ds);
  }

  /**
   * Borrows a connection, waiting at most {@code timeoutMs} (see {@link HikariBorrowing} for the
   * fallback, which waits the pool's connection timeout).
   *
   * @throws SQLTransientConnectionException when none became free in time
   */
  Connection borrow(long timeoutMs) throws SQLException {
    return borrowing.borrow(timeoutMs);
  }

  /** Takes a borrowed connection out of the pool for good, freeing its slot. */
  void evict(Connection conn) {
    ds.evictConnection(conn);
  }

  PoolStats stats() {
    return new PoolStats(
        level,
        size,
        stats.getActiveConnections(),
        stats.getIdleConnections(),
        stats.getThreadsAwaitingConnection());
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
