package dev.txguard.queue.internal;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** A wake-up flag one thread waits on and any thread raises; raising it twice wakes once. */
final class Signal {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition raised = lock.newCondition();
  private boolean up;

  void raise() {
    lock.lock();
    try {
      up = true;
      raised.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until the flag is raised or {@code timeout} passes, then lowers it; returns whether it
   * was raised (false: the wait ran out).
   */
  boolean await(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (!up && nanos > 0) {
        nanos = raised.awaitNanos(nanos);
      }
      boolean wasUp = up;
      up = false;
      return wasUp;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the flag is raised or {@code timeoutMs} passes, then lowers it. */
  boolean await(long timeoutMs) throws InterruptedException {
    return await(Duration.ofMillis(timeoutMs));
  }
}
