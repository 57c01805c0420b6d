package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));

  @Test
  void doublesFromInitialWithEqualJitterAndCapsAtMax() {
    for (int i = 0; i < 200; i++) {
      assertThat(backoff.delayMillis(1)).isBetween(500L, 1000L);
      assertThat(backoff.delayMillis(2)).isBetween(1000L, 2000L);
      assertThat(backoff.delayMillis(4)).isBetween(4000L, 8000L);
      assertThat(backoff.delayMillis(7)).isBetween(30_000L, 60_000L);
      assertThat(backoff.delayMillis(1000)).isBetween(30_000L, 60_000L);
    }
  }

  @Test
  void zeroMeansRetryAtOnce() {
    assertThat(new Backoff(Duration.ZERO, Duration.ZERO).delayMillis(5)).isZero();
  }
}
