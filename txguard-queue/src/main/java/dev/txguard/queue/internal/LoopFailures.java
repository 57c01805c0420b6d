package dev.txguard.queue.internal;

import dev.txguard.StatementException;
import dev.txguard.internal.Failures;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * How a background loop (a fetcher, the heartbeat, maintenance, the control connection) reports and
 * paces failures that keep coming: each kind of failure (its type and SQLSTATE) is logged once,
 * with its stack trace, until the loop succeeds again (later ones of that kind go to DEBUG), and
 * the wait before the next try doubles from the loop's own period up to a cap. A queue pointed at a
 * schema that was never migrated, or a database that is down, thus logs a few lines, not one per
 * poll. Not thread-safe: one loop thread owns it.
 */
final class LoopFailures {
  /**
   * SQLSTATEs of a missing relation or schema: the queue's schema was not migrated (or was
   * dropped).
   */
  private static final Set<String> MISSING = Set.of("42P01", "3F000");

  private final String loop;
  private final Duration period;
  private final Duration cap;
  private final Set<String> logged = new HashSet<>();
  private int consecutive;

  /**
   * @param loop what the loop does, for the log ("claiming jobs of queue 'default' at level 0")
   * @param period its wait after the first failure
   * @param cap the longest wait; at least {@code period}
   */
  LoopFailures(String loop, Duration period, Duration cap) {
    this.loop = loop;
    this.period = period;
    this.cap = cap.compareTo(period) < 0 ? period : cap;
  }

  /**
   * Counts {@code e}, logs it if its kind is new since the last success; returns the wait before
   * the next try.
   */
  Duration failed(Throwable e) {
    consecutive++;
    String kind = kind(e);
    if (firstOfKind(kind)) {
      Events.LOG.warn(
          "{} failed ({}){}; trying again, backing off up to {}; further failures of this kind are"
              + " logged at DEBUG until it works again",
          loop,
          kind,
          hint(e),
          cap,
          e);
    } else {
      Events.LOG.debug("{} failed again ({}, {} in a row)", loop, kind, consecutive, e);
    }
    return nextWait();
  }

  /** The loop's round worked: logs the recovery if it had failed, and starts over. */
  void succeeded() {
    if (consecutive > 0) {
      Events.LOG.info("{} works again after {} failed tries", loop, consecutive);
      consecutive = 0;
      logged.clear();
    }
  }

  /** Whether {@code kind} is logged now: the first of its kind since the last success. */
  boolean firstOfKind(String kind) {
    return logged.add(kind);
  }

  /** {@code period × 2^(failures - 1)}, at most the cap; the period before any failure. */
  Duration nextWait() {
    int doublings = Math.min(Math.max(consecutive - 1, 0), 30);
    Duration wait = period.multipliedBy(1L << doublings);
    return wait.compareTo(cap) > 0 || wait.isNegative() ? cap : wait;
  }

  /** A failure's kind: its type, and the first SQLSTATE in its cause chain. */
  static String kind(Throwable e) {
    String state = sqlState(e);
    return e.getClass().getName() + (state == null ? "" : ", SQLSTATE " + state);
  }

  /**
   * {@code e} as it should reach a user who enqueues, reads or cancels before {@code migrate()}: an
   * {@link IllegalStateException} naming the schema and the two ways to migrate, the driver's error
   * as its cause; any other failure unchanged.
   *
   * @param doing what the user did, ending the message ("enqueueing", "finding a job")
   */
  static RuntimeException missingSchema(StatementException e, String schema, String doing) {
    if (e.sqlState() == null || !MISSING.contains(e.sqlState())) {
      return e;
    }
    return new IllegalStateException(
        "the queue's tables are missing in schema '"
            + schema
            + "': migrate it with queue.migrate() or the command 'txguard migrate' before "
            + doing,
        e);
  }

  /**
   * {@code work}'s result; its failure on a missing schema as {@link #missingSchema}'s, any other
   * failure unchanged. For the public calls that read or change jobs outside the enqueue path.
   */
  static <T> T namingMigrate(String schema, String doing, Supplier<T> work) {
    try {
      return work.get();
    } catch (StatementException e) {
      throw missingSchema(e, schema, doing);
    }
  }

  private static String hint(Throwable e) {
    String state = sqlState(e);
    return state != null && MISSING.contains(state)
        ? ": the queue's tables are missing; migrate the schema with"
            + " queue.migrate() or the command 'txguard migrate'"
        : "";
  }

  private static String sqlState(Throwable e) {
    for (Throwable t : Failures.causes(e)) {
      String state =
          t instanceof StatementException s
              ? s.sqlState()
              : t instanceof SQLException s ? s.getSQLState() : null;
      if (state != null) {
        return state;
      }
    }
    return null;
  }
}
