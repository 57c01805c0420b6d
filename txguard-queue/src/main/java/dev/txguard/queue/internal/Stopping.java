package dev.txguard.queue.internal;

import java.time.Duration;

/**
 * Bounded waits of {@code stop()}: a thread of the queue is waited for until a deadline, then
 * interrupted and waited for {@link #AFTER_INTERRUPT} more, so that stopping returns even when a
 * thread is stuck waiting for a database that went away (a unit waiting for a connection waits up
 * to the pool's connection timeout, and each retry as long again).
 */
final class Stopping {
  /**
   * How long stop() may spend on its own steps (fetchers, giving leases up, the loops) past the
   * wait for running attempts: ample for a slow but live database.
   */
  static final Duration GRACE = Duration.ofSeconds(10);

  /** How long an interrupted thread is waited for. */
  static final Duration AFTER_INTERRUPT = Duration.ofSeconds(1);

  private Stopping() {}

  /**
   * Waits for {@code thread} (null: nothing to wait for) until {@code deadlineNanos}, then
   * interrupts it and waits {@link #AFTER_INTERRUPT} more; returns whether it ended.
   */
  static boolean join(Thread thread, long deadlineNanos) throws InterruptedException {
    if (thread == null) {
      return true;
    }
    long left = deadlineNanos - System.nanoTime();
    if (left > 0 && thread.join(Duration.ofNanos(left))) {
      return true;
    }
    if (!thread.isAlive()) {
      return true;
    }
    thread.interrupt();
    if (thread.join(AFTER_INTERRUPT)) {
      return true;
    }
    Events.LOG.warn(
        "{} did not end when stopped; it ends at its next check of the stop flag", thread);
    return false;
  }
}
