package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class IdleBackoffTest {
  @Test
  void doublesWhileIdleUpToTheCapAndResets() {
    IdleBackoff b = new IdleBackoff(Duration.ofMillis(100), Duration.ofMillis(350));
    assertThat(b.current()).isEqualTo(Duration.ofMillis(100));
    b.idle();
    assertThat(b.current()).isEqualTo(Duration.ofMillis(200));
    b.idle();
    assertThat(b.current()).isEqualTo(Duration.ofMillis(350));
    b.idle();
    assertThat(b.current()).isEqualTo(Duration.ofMillis(350));
    b.reset();
    assertThat(b.current()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void aCapBelowTheBaseIsTheBase() {
    IdleBackoff b = new IdleBackoff(Duration.ofSeconds(1), Duration.ofMillis(10));
    b.idle();
    assertThat(b.current()).isEqualTo(Duration.ofSeconds(1));
  }
}
