package dev.txguard.internal;

import dev.txguard.PoolExhaustedException;
import dev.txguard.PoolStats;
import dev.txguard.TxException;
import dev.txguard.internal.dialect.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A database's connection pools: one per level (level 0 opened at once, the others on first use)
 * and one for session-scoped advisory locks. Thread-safe.
 */
final class Pools implements AutoCloseable {
  private final Engine.Config config;
  private final ConnectionSource source;
  private final String name;
  private final Dialect dialect;
  private final AtomicReferenceArray<Pool> byLevel;
  private volatile Pool lockPool;
  private volatile boolean closed;

  /**
   * Opens the level-0 pool, connecting at once so that a wrong URL or password fails here.
   *
   * @throws TxException if the database cannot be reached within the connection timeout
   */
  Pools(Engine.Config config, ConnectionSource source, String name, Dialect dialect) {
    this.config = config;
    this.dialect = dialect;
    this.source = source;
    this.name = name;
    this.byLevel = new AtomicReferenceArray<>(config.maxLevels());
    Pool first = newPool(0);
    byLevel.set(0, first);
    try (Connection c = first.borrow(config.connectionTimeout().toMillis())) {
      ServerCapacity.check(
          c, config, first.stats().active() + first.stats().idle(), source.describe(), dialect);
    } catch (SQLException e) {
      Engine.LOG.warn(
          "could not check the pool sizes of {} against the server's max_connections: {}",
          name,
          source.redact(e.getMessage()));
    } catch (RuntimeException e) {
      first.close();
      throw e;
    }
  }

  private Pool newPool(int level) {
    int size = level == 0 ? config.poolSize() : config.levelPoolSize();
    try {
      return new Pool(level, size, config.connectionTimeout().toMillis(), source, name, dialect);
    } catch (RuntimeException e) {
      Throwable root = Failures.root(e);
      throw new TxException(
          "cannot connect to "
              + source.describe()
              + " (connectionTimeout "
              + config.connectionTimeout().toMillis()
              + " ms): "
              + source.redact(root.getMessage()),
          source.scrub(e));
    }
  }

  /** The pool of {@code level}, opened on first use. */
  Pool level(int level) {
    Pool pool = byLevel.get(level);
    if (pool != null) {
      return pool;
    }
    synchronized (byLevel) {
      pool = byLevel.get(level);
      if (pool == null) {
        checkNotClosed();
        pool = newPool(level);
        byLevel.set(level, pool);
      }
      return pool;
    }
  }

  /** Borrows a connection of the advisory-lock pool (created on first use). */
  Connection borrowLockConnection() {
    Pool pool = lockPoolOnFirstUse();
    try {
      return pool.borrow(pool.connectionTimeoutMs);
    } catch (SQLException e) {
      throw new PoolExhaustedException(
          "no connection free in the advisory-lock pool of "
              + name
              + " after "
              + pool.connectionTimeoutMs
              + " ms (size "
              + pool.size
              + "): too many session locks held at once",
          e);
    }
  }

  /** The advisory-lock pool, created on first use (double-checked under the pools' lock). */
  private Pool lockPoolOnFirstUse() {
    Pool pool = lockPool;
    if (pool == null) {
      synchronized (byLevel) {
        pool = lockPool;
        if (pool == null) {
          checkNotClosed();
          pool =
              new Pool(
                  -1,
                  config.poolSize(),
                  config.connectionTimeout().toMillis(),
                  source,
                  name + "-locks",
                  dialect);
          lockPool = pool;
        }
      }
    }
    return pool;
  }

  /** Takes a lock connection out of its pool for good, freeing its slot. */
  void evictLockConnection(Connection c) {
    lockPool.evict(c);
  }

  /** Snapshots of the pools opened so far, by level. */
  List<PoolStats> stats() {
    List<PoolStats> stats = new ArrayList<>();
    for (int i = 0; i < byLevel.length(); i++) {
      Pool pool = byLevel.get(i);
      if (pool != null) {
        stats.add(pool.stats());
      }
    }
    return stats;
  }

  private void checkNotClosed() {
    if (closed) {
      throw new IllegalStateException(name + " is closed");
    }
  }

  @Override
  public void close() {
    closed = true;
    synchronized (byLevel) {
      for (int i = 0; i < byLevel.length(); i++) {
        Pool pool = byLevel.get(i);
        if (pool != null) {
          pool.close();
        }
      }
      if (lockPool != null) {
        lockPool.close();
      }
    }
  }
}
