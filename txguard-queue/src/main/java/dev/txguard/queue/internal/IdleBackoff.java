package dev.txguard.queue.internal;

import java.time.Duration;

/**
 * The wait of a loop that polls for work (a fetcher's claim, the leader's maintenance round):
 * {@code base} after a round that found work or after a wake-up, doubling with every round that
 * found nothing, up to {@code cap}. So an idle queue process sends a statement every {@code cap}
 * per loop instead of every {@code base}, and a busy one keeps {@code base}. Not thread-safe: one
 * loop thread owns it.
 */
final class IdleBackoff {
  private final Duration base;
  private final Duration cap;
  private Duration current;

  /**
   * @param base the wait after work or a wake-up
   * @param cap the longest wait; at least {@code base}
   */
  IdleBackoff(Duration base, Duration cap) {
    this.base = base;
    this.cap = cap.compareTo(base) < 0 ? base : cap;
    this.current = base;
  }

  /** The wait before the next round. */
  Duration current() {
    return current;
  }

  /** Work was found, or the loop was woken: back to {@code base}. */
  void reset() {
    current = base;
  }

  /** A round found nothing: the next wait doubles, up to the cap. */
  void idle() {
    Duration doubled = current.multipliedBy(2);
    current = doubled.compareTo(cap) > 0 ? cap : doubled;
  }
}
