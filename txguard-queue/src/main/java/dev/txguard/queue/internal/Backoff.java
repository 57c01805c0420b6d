package dev.txguard.queue.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The retry delay after failed attempt {@code n} (1-based): {@code d = min(max, initial *
 * 2^(n-1))}, then a random delay drawn uniformly from {@code [d/2, d]} ("equal jitter": retries of
 * jobs that failed together spread out, yet never come sooner than half the schedule).
 */
record Backoff(Duration initial, Duration max) {
  long delayMillis(int failedAttempt) {
    long cap = max.toMillis();
    long d = initial.toMillis();
    for (int i = 1; i < failedAttempt && d < cap; i++) {
      d = d > cap / 2 ? cap : d * 2;
    }
    d = Math.min(d, cap);
    return d <= 1 ? d : d / 2 + ThreadLocalRandom.current().nextLong(d - d / 2 + 1);
  }
}
