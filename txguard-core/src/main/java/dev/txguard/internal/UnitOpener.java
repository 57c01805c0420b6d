package dev.txguard.internal;

import dev.txguard.PoolExhaustedException;
import dev.txguard.PoolStats;
import dev.txguard.TxException;
import dev.txguard.TxOptions;
import dev.txguard.TxTimeoutException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * Opens one attempt of a unit: borrows a connection of the level's pool within what is left of the
 * unit's timeout, and hands the unit to the watchdog. A pool that has no free connection in time
 * gives {@link PoolExhaustedException} naming who holds its connections. Thread-safe.
 */
final class UnitOpener {
  private static final int STACK_FRAMES_IN_MESSAGES = 25;

  private final Engine engine;
  private final Pools pools;
  private final Watchdog watchdog;
  private final Listeners listeners;

  UnitOpener(Engine engine, Pools pools, Watchdog watchdog, Listeners listeners) {
    this.engine = engine;
    this.pools = pools;
    this.watchdog = watchdog;
    this.listeners = listeners;
  }

  /**
   * Opens attempt {@code attempt} of a unit at {@code level}.
   *
   * @param firstStart when the unit's first attempt began ({@link System#nanoTime()})
   * @param openedAt the stack that called begin, for manual units; null for callback units
   */
  Unit open(
      TxOptions options, int attempt, long firstStart, int level, StackTraceElement[] openedAt) {
    engine.checkNotClosed();
    Pool pool = pools.level(level);
    long waitMs = pool.connectionTimeoutMs;
    if (options.timeout().isPresent()) {
      long left = firstStart + options.timeout().get().toNanos() - System.nanoTime();
      if (left <= 0) {
        throw new TxTimeoutException(
            "unit '"
                + options.name()
                + "' ran past its timeout of "
                + options.timeout().get().toMillis()
                + " ms before attempt "
                + attempt
                + " could begin",
            null);
      }
      waitMs = Math.min(waitMs, Math.max(1, left / 1_000_000));
    }
    Connection conn = borrow(pool, options, waitMs, attempt);
    Unit unit = new Unit(engine, pool, options, attempt, firstStart, conn, openedAt);
    try {
      watchdog.watch(unit);
    } catch (RejectedExecutionException e) { // the database was closed since the check above
      unit.release();
      throw new IllegalStateException(engine.name() + " is closed", e);
    }
    return unit;
  }

  private Connection borrow(Pool pool, TxOptions options, long waitMs, int attempt) {
    try {
      return pool.borrow(waitMs);
    } catch (SQLTransientConnectionException e) {
      if (waitMs < pool.connectionTimeoutMs) {
        throw new TxTimeoutException(
            "unit '"
                + options.name()
                + "' ran past its timeout of "
                + options.timeout().orElseThrow().toMillis()
                + " ms waiting for a connection (attempt "
                + attempt
                + ")",
            poolExhausted(pool, waitMs, e));
      }
      PoolExhaustedException error = poolExhausted(pool, waitMs, e);
      listeners.fire(l -> l.onPoolExhausted(error));
      throw error;
    } catch (SQLException e) {
      throw new TxException(
          "cannot get a connection for unit '"
              + options.name()
              + "' from the level-"
              + pool.level
              + " pool: "
              + engine.source().redact(e.getMessage()),
          e);
    }
  }

  private PoolExhaustedException poolExhausted(Pool pool, long waitedMs, SQLException e) {
    PoolStats s = pool.stats();
    StringBuilder sb =
        new StringBuilder()
            .append("no connection free in the level-")
            .append(pool.level)
            .append(" pool of ")
            .append(engine.name())
            .append(" after ")
            .append(waitedMs)
            .append(" ms (size ")
            .append(s.size())
            .append(", active ")
            .append(s.active())
            .append(", idle ")
            .append(s.idle())
            .append(", waiting ")
            .append(s.waiting())
            .append(")");
    appendHolders(sb, watchdog.holders(pool.level), e);
    return new PoolExhaustedException(sb.toString(), e);
  }

  /** Who holds the pool's connections, or why nobody listed does, and what to do about it. */
  private void appendHolders(StringBuilder sb, List<Unit> holders, SQLException e) {
    if (holders.isEmpty()) {
      sb.append(
          "; no txguard unit holds one (connections lent by db.dataSource() outside units, which"
              + " their borrowers must close, and units of other threads' levels are not listed)");
      if (e.getCause() != null) {
        sb.append("; last connection error: ")
            .append(engine.source().redact(e.getCause().getMessage()));
      }
      return;
    }
    sb.append("; held by:");
    for (Unit u : holders) {
      appendHolder(sb, u);
    }
    sb.append(
        "\nCode inside a unit that waits for work needing another connection of the same pool"
            + " deadlocks it: run that work with db.inNewTx(...) or db.isolated(...) (one level up), or"
            + " end the unit first");
  }

  private static void appendHolder(StringBuilder sb, Unit u) {
    sb.append("\n  unit '")
        .append(u.name())
        .append("' (attempt ")
        .append(u.attempt)
        .append(") for ")
        .append(u.age().toMillis())
        .append(" ms on thread '")
        .append(u.owner.getName())
        .append("',");
    StackTraceElement[] stack = u.openedAt != null ? u.openedAt : u.owner.getStackTrace();
    StackText.append(sb, Arrays.asList(stack), STACK_FRAMES_IN_MESSAGES);
  }
}
