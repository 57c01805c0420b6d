package dev.txguard.queue.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many claimed attempts one {@link Fetcher} holds ahead of its slots: at most the queue's
 * prefetch, and at most what its slots finish within {@link #WINDOW_NANOS} at the mean slot time of
 * its attempts (from the moment an attempt starts in its slot to the moment it releases the slot),
 * so that a prefetched attempt waits about that window for a slot, whatever its handlers take. A
 * process that claims ahead holds jobs another, idle process could run; with slow handlers even a
 * few jobs ahead wait long (P jobs ahead of C slots wait about P × mean / C), while with short ones
 * many jobs ahead cost little waiting and save claims. Before any attempt has released its slot the
 * mean is unknown and the limit is the prefetch, so a handler that blocks never shrinks it. The
 * mean is an exponentially weighted moving average (the newest slot time weighs {@code 1/}{@link
 * #WEIGHT}) of the attempts that ran: one that never started (a cancelled prefetched attempt, one
 * whose lease was lost before it started) does not count. Thread-safe and lock-free: slots are
 * released from many attempts' threads at once.
 */
final class ClaimAhead {
  /**
   * About how long, in nanoseconds, a prefetched attempt should wait for a slot: 10 ms. P attempts
   * claimed ahead of C slots whose attempts hold a slot for a mean of M nanoseconds wait about P ×
   * M / C for one, so the limit is C × WINDOW / M. Short enough that a job held by a busy process
   * starts hardly later than in another, idle process; long enough that handlers of a fraction of a
   * millisecond keep a claim-ahead of dozens of jobs per slot, and claims of many jobs at a time.
   */
  static final long WINDOW_NANOS = Duration.ofMillis(10).toNanos();

  /** The newest slot time weighs 1/WEIGHT in the mean, the mean before it the rest. */
  static final int WEIGHT = 8;

  /** The mean of a fetcher none of whose attempts has released its slot yet. */
  static final long UNKNOWN = -1;

  private final int prefetch;
  private final int concurrency;

  /** The mean slot time in nanoseconds, or {@link #UNKNOWN}. */
  private final AtomicLong meanNanos = new AtomicLong(UNKNOWN);

  /**
   * @param prefetch the queue's prefetch: the most attempts held ahead of the slots, 0 or more
   * @param concurrency the queue's slots, at least 1
   */
  ClaimAhead(int prefetch, int concurrency) {
    this.prefetch = prefetch;
    this.concurrency = concurrency;
  }

  /**
   * An attempt that ran released its slot.
   *
   * @param slotNanos how long it held the slot, in nanoseconds (a negative value counts as 0)
   */
  void slotReleased(long slotNanos) {
    long sample = Math.max(0, slotNanos);
    meanNanos.updateAndGet(mean -> mean == UNKNOWN ? sample : mean + (sample - mean) / WEIGHT);
  }

  /** The mean slot time in nanoseconds, or {@link #UNKNOWN} before any attempt released a slot. */
  long meanNanos() {
    return meanNanos.get();
  }

  /** The most attempts to hold ahead of the slots now; see {@link #limit(int, int, long)}. */
  int limit() {
    return limit(prefetch, concurrency, meanNanos.get());
  }

  /**
   * The claim-ahead for a mean slot time.
   *
   * @param prefetch the queue's prefetch, 0 or more
   * @param concurrency the queue's slots, 1 to 10,000
   * @param meanNanos the mean slot time in nanoseconds, or a negative value ({@link #UNKNOWN}) when
   *     no attempt has released its slot yet
   * @return {@code prefetch} while the mean is unknown or 0, else {@code min(prefetch,
   *     floor(concurrency × WINDOW_NANOS / meanNanos))}
   */
  static int limit(int prefetch, int concurrency, long meanNanos) {
    if (meanNanos <= 0) {
      return prefetch; // unknown, or too short to measure: nothing bounds it but the prefetch
    }
    // at most 10,000 slots × 10^7 ns: no overflow
    return (int) Math.min(prefetch, concurrency * WINDOW_NANOS / meanNanos);
  }

  @Override
  public String toString() {
    long mean = meanNanos.get();
    return "claim-ahead "
        + limit(prefetch, concurrency, mean)
        + " of prefetch "
        + prefetch
        + ", mean slot time "
        + (mean == UNKNOWN ? "unknown" : String.format(Locale.ROOT, "%.3f ms", mean / 1e6));
  }
}
