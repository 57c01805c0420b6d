package dev.txguard.queue.internal;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The callers of {@code queue.call} in this process waiting for their jobs, by job id. Each waiter
 * has a {@link Signal} of its own, and the end of a job raises every signal registered for it: two
 * calls awaiting the same job (one unique key) are both woken by its end, not one of them by the
 * poll fallback (a shared signal would be lowered by the first waiter that saw it). A waiter is
 * woken when its job ends here (in-process) or when the control connection hears the job's end
 * announced by another process; it then reads the job's row. No waiter holds a connection while it
 * waits. Thread-safe.
 */
final class Waiters {
  private final Map<Long, Set<Signal>> waiting = new ConcurrentHashMap<>();

  /**
   * A new signal for one waiter of job {@code id}; pass it to {@link #remove} when done waiting.
   */
  Signal register(long id) {
    Signal s = new Signal();
    waiting.compute(
        id,
        (k, set) -> {
          Set<Signal> signals = set != null ? set : ConcurrentHashMap.newKeySet();
          signals.add(s);
          return signals;
        });
    return s;
  }

  void remove(long id, Signal s) {
    waiting.computeIfPresent(
        id,
        (k, set) -> {
          set.remove(s);
          return set.isEmpty() ? null : set;
        });
  }

  /**
   * Wakes every waiter of {@code id}. Called at the end of every attempt, and almost always with
   * nobody waiting: the emptiness check first spares boxing the id for the lookup (one Long per job
   * in the queue benchmark's allocation profile).
   */
  void ended(long id) {
    if (waiting.isEmpty()) {
      return;
    }
    Set<Signal> signals = waiting.get(id);
    if (signals != null) {
      signals.forEach(Signal::raise);
    }
  }
}
