package dev.txguard.queue.internal;

import java.time.Duration;

/** Waits given as {@link Duration}s, made safe for {@link System#nanoTime()} arithmetic. */
final class Durations {
  /**
   * The longest wait the queue measures: longer ones are waited for this long. A hundred years is
   * "forever" for any caller, and far below the 292 years after which nanoseconds overflow a long.
   */
  static final Duration LONGEST_WAIT = Duration.ofDays(36_500);

  private Durations() {}

  /** {@code d} in nanoseconds, at most {@link #LONGEST_WAIT}; never overflows. */
  static long nanos(Duration d) {
    return d.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT.toNanos() : d.toNanos();
  }
}
