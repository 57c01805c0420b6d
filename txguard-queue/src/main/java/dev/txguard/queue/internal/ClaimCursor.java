package dev.txguard.queue.internal;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;

/**
 * Where one fetcher's next claim starts in the claim order (priority, run_at, id): after the last
 * job its previous claim took, while that claim was full. Each claimed job leaves its old row
 * version's entry in the claim index until VACUUM removes it (autovacuum runs when about a fifth of
 * the table is dead, by default), so a claim that scans from the head walks every job claimed since
 * then: under a backlog of thousands of jobs a second, hundreds of index pages per claim, and the
 * claims alone took most of a core in the sustained benchmark. Starting after the previous claim
 * skips them.
 *
 * <p>A claim scans from the head when the previous one came short (nothing more after the cursor,
 * or rows skipped as locked), when the cursor was never set, and at least once every {@link
 * #FULL_SCAN_NANOS}: a job that became available behind the cursor (a retry, a rescued or handed
 * back job, one of a better priority enqueued while a backlog waits) is claimed by then. A claim
 * after the cursor that came short is followed at once by one from the head ({@link
 * #lastFromHead()}, see Fetcher): the wake-up of a job behind the cursor may have started the short
 * claim, and no other wake-up or claim may come before the poll. Without a backlog every claim
 * comes short, so every claim scans from the head, in strict claim order. Used by its fetcher's
 * thread only; not thread-safe.
 */
final class ClaimCursor {
  /** The longest time between two claims that scan from the head of the claim order. */
  static final long FULL_SCAN_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** The cursor of a claim from the head: below every job (priority is at least 0). */
  private static final Object[] HEAD = {-1, runAt(0), 0L};

  private boolean set;
  private int priority;
  private long runAtMicros;
  private long id;
  private long headScannedAt;

  /** Whether the parameters {@link #next} gave last start the claim at the head. */
  private boolean fromHead = true;

  /**
   * The cursor parameters of the next claim (priority, run_at as a timestamp, id), taken at {@code
   * nowNanos} ({@link System#nanoTime()}).
   */
  Object[] next(long nowNanos) {
    fromHead = !set || nowNanos - headScannedAt >= FULL_SCAN_NANOS;
    if (fromHead) {
      headScannedAt = nowNanos;
      return HEAD.clone();
    }
    return new Object[] {priority, runAt(runAtMicros), id};
  }

  /**
   * Whether the parameters {@link #next} gave last start the claim at the head of the claim order
   * (false: after the cursor, so that the claim did not see the jobs behind it); true before any.
   */
  boolean lastFromHead() {
    return fromHead;
  }

  /**
   * A run_at given in microseconds since the epoch, as the claim binds it: exactly, where the
   * statement's own bigint-to-interval arithmetic would go through float8 (see claim.sql).
   */
  static OffsetDateTime runAt(long micros) {
    return OffsetDateTime.ofInstant(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  /**
   * After a claim that committed: {@code last} is the greatest key it took ({@code null}: none, or
   * one with an infinite run_at), {@code full} whether it took as many jobs as it asked for.
   */
  void claimed(Key last, boolean full) {
    set = full && last != null;
    if (set) {
      priority = last.priority();
      runAtMicros = last.runAtMicros();
      id = last.id();
    }
  }

  /** Forgets the cursor: the next claim scans from the head (after a failed claim, say). */
  void reset() {
    set = false;
  }

  /** A job's place in the claim order. */
  record Key(int priority, long runAtMicros, long id) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = Integer.compare(priority, o.priority);
      if (c == 0) {
        c = Long.compare(runAtMicros, o.runAtMicros);
      }
      return c != 0 ? c : Long.compare(id, o.id);
    }

    /** The greater of this key and {@code o} ({@code o} may be null). */
    Key max(Key o) {
      return o == null || compareTo(o) >= 0 ? this : o;
    }
  }
}
