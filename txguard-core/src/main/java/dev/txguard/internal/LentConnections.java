package dev.txguard.internal;

import dev.txguard.TxException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Connections txguard lends outside units: sessions of the advisory-lock pool (for {@code
 * db.locks()}), connections for {@code db.dataSource()} (the thread's unit's own, or a pooled one
 * in autocommit mode), and new connections outside every pool ({@code db.openConnection()}). The
 * borrower ends each one: close returns it, discard aborts it. Thread-safe.
 */
public final class LentConnections {
  private final Engine engine;
  private final Pools pools;
  private final ConnectionSource source;
  private final long connectionTimeoutMs;

  LentConnections(Engine engine, Pools pools, ConnectionSource source, long connectionTimeoutMs) {
    this.engine = engine;
    this.pools = pools;
    this.source = source;
    this.connectionTimeoutMs = connectionTimeoutMs;
  }

  /** Borrows a connection of the advisory-lock pool (created on first use). */
  public Connection lockConnection() {
    engine.checkNotClosed();
    return pools.borrowLockConnection();
  }

  /** Returns a lock connection to its pool unless it was discarded. */
  public void releaseLockConnection(Connection c) {
    try {
      if (!c.isClosed()) {
        c.close();
      }
    } catch (SQLException e) {
      Engine.LOG.debug("closing a lock connection failed: {}", e.toString());
    }
  }

  /** Discards a lock connection, releasing its session's locks. */
  public void discardLockConnection(Connection c) {
    try {
      c.unwrap(Connection.class).abort(Runnable::run);
    } catch (SQLException e) {
      Engine.LOG.debug("aborting a lock connection failed: {}", e.toString());
    }
    pools.evictLockConnection(c);
  }

  /** A new connection outside the pools, in autocommit mode, owned by the caller. */
  public Connection openConnection() {
    engine.checkNotClosed();
    Connection c = null;
    try {
      c = source.open();
      c.setAutoCommit(true);
      return c;
    } catch (SQLException e) {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException closing) {
          e.addSuppressed(closing);
        }
      }
      throw new TxException(
          "cannot open a connection to " + source.describe() + ": " + source.redact(e.getMessage()),
          source.scrub(e));
    }
  }

  /**
   * A connection for {@code db.dataSource()}: the calling thread's unit's connection (its close a
   * no-op) when it runs one of this database, else a pooled connection in autocommit mode.
   */
  public Connection dataSourceConnection() throws SQLException {
    engine.checkNotClosed();
    ThreadContext ctx = ThreadContext.get();
    TxImpl current = ctx.find(engine);
    if (current != null) {
      current.unit.checkOpen();
      return GuardedConnection.lend(current.unit);
    }
    Pool pool = pools.level(ctx.nextLevel(engine));
    Connection c = pool.borrow(connectionTimeoutMs);
    c.setAutoCommit(true);
    return SessionConnection.wrap(c, pool);
  }
}
