package dev.txguard.queue.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The callers of {@code queue.call} in this process waiting for their jobs, by job id. A waiter is
 * woken when its job ends here (in-process) or when the control connection hears the job's
 * completion announced by another process; it then reads the job's row once. No waiter holds a
 * connection while it waits. Thread-safe.
 */
final class Waiters {
  private final Map<Long, Signal> waiting = new ConcurrentHashMap<>();

  Signal register(long id) {
    return waiting.computeIfAbsent(id, k -> new Signal());
  }

  void remove(long id) {
    waiting.remove(id);
  }

  /** Wakes the waiter of {@code id}, if there is one. */
  void ended(long id) {
    Signal s = waiting.get(id);
    if (s != null) {
      s.raise();
    }
  }
}
