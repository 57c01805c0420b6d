package dev.txguard.queue.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The attempts this process is running, by job id. Thread-safe. */
final class Running {
  private final Map<Long, Attempt> attempts = new ConcurrentHashMap<>();
  private final Object emptied = new Object();

  void add(Attempt a) {
    attempts.put(a.id, a);
  }

  void remove(Attempt a) {
    attempts.remove(a.id, a);
    synchronized (emptied) {
      emptied.notifyAll();
    }
  }

  /**
   * Asks this process's attempt of job {@code id} to stop, if it runs one here (running or
   * prefetched; see {@link Attempt#requestCancel}); does nothing otherwise.
   */
  void requestCancel(long id) {
    Attempt a = attempts.get(id);
    if (a != null) {
      a.requestCancel();
    }
  }

  List<Attempt> snapshot() {
    return List.copyOf(attempts.values());
  }

  /** Waits until no attempt runs or {@code deadlineNanos} (a {@link System#nanoTime()}) passes. */
  boolean awaitEmpty(long deadlineNanos) throws InterruptedException {
    synchronized (emptied) {
      for (long left = deadlineNanos - System.nanoTime();
          !attempts.isEmpty();
          left = deadlineNanos - System.nanoTime()) {
        if (left <= 0) {
          return false;
        }
        emptied.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }
}
