package dev.txguard.bench.queue;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the handlers of one phase saw: how often each job id started (the exactly-once check), when
 * each started and how long after its enqueue call began (the latency), and how many handlers
 * returned. Job ids are 0 to {@code capacity - 1}. Thread-safe.
 */
final class Tally {
  private final AtomicIntegerArray starts;
  private final AtomicLongArray startNanos;
  private final AtomicLongArray latencyNanos;
  private final AtomicLong finished = new AtomicLong();
  private final AtomicLong firstStart = new AtomicLong(Long.MAX_VALUE);

  Tally(int capacity) {
    starts = new AtomicIntegerArray(capacity);
    startNanos = new AtomicLongArray(capacity);
    latencyNanos = new AtomicLongArray(capacity);
  }

  /**
   * Called first thing in every handler; {@code enqueuedNanos} is the producer's System.nanoTime().
   */
  void started(int id, long enqueuedNanos) {
    long now = System.nanoTime();
    if (id < 0 || id >= starts.length()) {
      throw new IllegalStateException("job id " + id + " outside 0.." + (starts.length() - 1));
    }
    starts.incrementAndGet(id);
    startNanos.compareAndSet(id, 0, now);
    latencyNanos.compareAndSet(id, 0, Math.max(1, now - enqueuedNanos));
    firstStart.accumulateAndGet(now, Math::min);
  }

  /** Called last thing in every handler that returned normally. */
  void finished() {
    finished.incrementAndGet();
  }

  long finishedCount() {
    return finished.get();
  }

  long firstStartNanos() {
    return firstStart.get();
  }

  /**
   * Waits until {@code jobs} handlers returned, at most {@code timeoutMillis}; false if they did
   * not.
   */
  boolean awaitFinished(long jobs, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    while (finished.get() < jobs) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(1);
    }
    return true;
  }

  /**
   * Ids in {@code [0, jobs)} that did not start exactly once, as "id x n" (at most 10), empty if
   * none.
   */
  String notExactlyOnce(int jobs) {
    StringBuilder bad = new StringBuilder();
    int shown = 0;
    int total = 0;
    for (int i = 0; i < jobs; i++) {
      if (starts.get(i) != 1) {
        total++;
        if (shown++ < 10) {
          bad.append(bad.isEmpty() ? "" : ", ").append(i).append(" x ").append(starts.get(i));
        }
      }
    }
    return total == 0
        ? ""
        : total + " job(s) not run exactly once: " + bad + (total > 10 ? ", ..." : "");
  }

  /** Latencies in ms of the ids in {@code [from, to)} whose start falls in the window, sorted. */
  double[] latenciesMillis(int from, int to, long windowStart, long windowEnd) {
    return java.util.stream.IntStream.range(from, to)
        .filter(i -> startNanos.get(i) >= windowStart && startNanos.get(i) < windowEnd)
        .mapToDouble(i -> latencyNanos.get(i) / 1e6)
        .sorted()
        .toArray();
  }

  /** Latencies in ms of the ids in {@code [from, to)}, sorted. */
  double[] latenciesMillis(int from, int to) {
    return latenciesMillis(from, to, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /** The latency in ms of job {@code id}: enqueue call start to its first handler start. */
  double latencyMillis(int id) {
    return latencyNanos.get(id) / 1e6;
  }

  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  @Override
  public String toString() {
    return "Tally[finished="
        + finished.get()
        + ", starts of first ids="
        + Arrays.toString(
            java.util.stream.IntStream.range(0, Math.min(5, starts.length()))
                .map(starts::get)
                .toArray())
        + "]";
  }
}
