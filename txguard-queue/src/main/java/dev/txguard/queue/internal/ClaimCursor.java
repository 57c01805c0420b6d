package dev.txguard.queue.internal;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;

/**
 * Where one fetcher's next claim starts in the claim order (priority, run_at, id). Each claimed job
 * leaves its old row version's entry in the claim index until VACUUM removes it (autovacuum visits
 * a table at most once a minute, and a vacuum of a large job table takes minutes), and an insert
 * never lands among those entries, so nothing else removes them: a claim that scans from the head
 * walks every job claimed since the last vacuum. In the sustained benchmark (10,000 jobs/s offered
 * by producers) claims from the head took most of a core, reading millions of dead index entries
 * (perf: the claim backend in _bt_readpage and _bt_readnextpage). So claims start after a cursor:
 *
 * <ul>
 *   <li>after a full claim: after the greatest key it took (a backlog: what follows is next);
 *   <li>after a short claim that took jobs: {@link #TRAIL_MICROS} before the greatest run_at it
 *       took in the best priority it took, id 0. Such a claim took everything visible after its
 *       start, and without a backlog the jobs come in run_at order, give or take how long their
 *       enqueuing units ran (run_at is the unit's now()), so the next claim sees them while it
 *       walks only a second's worth of claimed jobs of that priority (the dead entries of worse
 *       priorities it walks from their start, as a claim from the head does);
 *   <li>after a claim that took nothing, or only jobs with an infinite run_at: where it was (a full
 *       claim of such jobs: no cursor).
 * </ul>
 *
 * <p>A job can still become available behind the cursor: a better priority, a retry or a promoted
 * scheduled job (run_at long past), one handed back, one enqueued by a unit that ran longer than
 * the trail. A claim scans from the head when there is no cursor (first claim, after a failed one),
 * once the last claim from the head ended {@link #FULL_SCAN_NANOS} ago, after a poll ran out
 * ({@link #headDue}), and after a short claim once the last claim from the head ended {@link
 * #headGapNanos} ago (both counted from its end, so that a claim from the head that takes longer
 * than the second is not followed at once by another). So at light load, a wake-up now and then,
 * every claim scans from the head, one claim per wake-up; under a stream of short claims those
 * within the gap start at the cursor. One from the cursor that comes short ({@link #wantHead}: the
 * wake-up of a job behind the cursor may have started it, and no other wake-up may come before the
 * poll) is followed by one from the head at the next wake-up after the gap, or, if none comes, a
 * second after the last claim from the head ended. The gap is 20 times what the last claim from the
 * head took, between {@link #MIN_HEAD_GAP_NANOS} and {@link #FULL_SCAN_NANOS}: while claims from
 * the head take under 50 ms they take at most about a twentieth of the claiming backend's time;
 * longer ones (millions of dead entries) run a second apart, at most half of it while they take up
 * to a second. So a job behind the cursor waits at most about a second more than in strict order,
 * plus the claim from the head that takes it. Used by its fetcher's thread only; not thread-safe.
 */
final class ClaimCursor {
  /**
   * The longest time from the end of a claim that scanned from the head of the claim order to the
   * start of the next one.
   */
  static final long FULL_SCAN_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** The shortest gap between a claim from the head and the one a short claim asks for. */
  static final long MIN_HEAD_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** How far a short claim's cursor sits before the greatest run_at it took: 1 s, in µs. */
  static final long TRAIL_MICROS = TimeUnit.SECONDS.toMicros(1);

  /** The gap after a claim from the head, in multiples of its duration. */
  private static final int HEAD_GAP_FACTOR = 20;

  /** The cursor of a claim from the head: below every job (priority is at least 0). */
  private static final Object[] HEAD = {-1, runAt(0), 0L};

  private boolean set;
  private int priority;
  private long runAtMicros;
  private long id;
  private long headScannedAt;
  private long headGapNanos = MIN_HEAD_GAP_NANOS;
  private boolean headWanted;

  /** Whether the parameters {@link #next} gave last start the claim at the head. */
  private boolean fromHead = true;

  /**
   * The cursor parameters of the next claim (priority, run_at as a timestamp, id), taken at {@code
   * nowNanos} ({@link System#nanoTime()}).
   */
  Object[] next(long nowNanos) {
    long sinceHead = nowNanos - headScannedAt;
    fromHead = !set || sinceHead >= FULL_SCAN_NANOS || (headWanted && sinceHead >= headGapNanos);
    if (fromHead) {
      headScannedAt = nowNanos;
      headWanted = false;
      return HEAD.clone();
    }
    return new Object[] {priority, runAt(runAtMicros), id};
  }

  /**
   * After a claim after the cursor came short: the next claim should scan from the head. A claim at
   * a wake-up does once the gap has passed; without one the fetcher claims from the head when the
   * returned nanoseconds have passed since {@code nowNanos} (0: at once), a second after the last
   * claim from the head. Waiting only for the gap would cost a claim that finds nothing per job
   * where jobs come a few milliseconds apart, each one's wake-up starting a claim anyway.
   */
  long wantHead(long nowNanos) {
    headWanted = true;
    return Math.max(0, FULL_SCAN_NANOS - (nowNanos - headScannedAt));
  }

  /** The next claim scans from the head, whatever the gap: a poll, or the gap passed. */
  void headDue() {
    headWanted = true;
    headGapNanos = 0;
  }

  /** The gap after the last claim from the head (see the class comment), in nanoseconds. */
  long headGapNanos() {
    return headGapNanos;
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
   * After a claim that committed at {@code nowNanos}: {@code last} is the greatest key it took and
   * {@code trail} the greatest one of the best priority it took (both {@code null}: none, or one
   * with an infinite run_at), {@code full} whether it took as many jobs as it asked for.
   */
  void claimed(Key last, Key trail, boolean full, long nowNanos) {
    if (fromHead) {
      long took = nowNanos - headScannedAt;
      headGapNanos =
          Math.clamp(
              took > FULL_SCAN_NANOS / HEAD_GAP_FACTOR ? FULL_SCAN_NANOS : took * HEAD_GAP_FACTOR,
              MIN_HEAD_GAP_NANOS,
              FULL_SCAN_NANOS);
      // the gap and the second count from this claim's end: from its start, a claim from the head
      // that took a second or more (millions of dead entries) was followed at once by another, and
      // every claim scanned from the head
      headScannedAt = nowNanos;
    }
    // after a short claim the next one starts at the head once the gap has passed: at light load
    // (a wake-up now and then) every claim does, one claim per wake-up; under a stream of short
    // claims those within the gap start at the cursor
    headWanted = !full;
    if (full) {
      set = last != null;
      if (set) {
        priority = last.priority();
        runAtMicros = last.runAtMicros();
        id = last.id();
      }
    } else if (trail != null) {
      set = true;
      priority = trail.priority();
      runAtMicros = trail.runAtMicros() - TRAIL_MICROS;
      id = 0;
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

    /**
     * Of this key and {@code o} ({@code o} may be null), the one of the better (lower) priority,
     * and of one priority the greater: where a short claim's trailing cursor is taken from.
     */
    Key trail(Key o) {
      if (o == null) {
        return this;
      }
      int c = Integer.compare(priority, o.priority);
      return c < 0 || (c == 0 && compareTo(o) >= 0) ? this : o;
    }
  }
}
