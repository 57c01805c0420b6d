package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WakeTest {
  @Test
  void aPayloadNamesQueueLevelAndSender() {
    Wake w = new Wake("mail.out:eu-1", 1, "5f3a");
    assertThat(w.payload()).isEqualTo("mail.out:eu-1@1#5f3a");
    assertThat(Wake.parse(w.payload())).isEqualTo(w);
    assertThat(Wake.parse("default@0")).isEqualTo(new Wake("default", 0, null));
  }

  @Test
  void aWakeIsForItsLevelOnly() {
    Wake w = Wake.parse("default@1");
    assertThat(w.wakes(1)).isTrue();
    assertThat(w.wakes(0)).isFalse();
  }

  @Test
  void anOlderVersionsPayloadWithoutALevelWakesEveryLevel() {
    Wake w = Wake.parse("default");
    assertThat(w).isEqualTo(new Wake("default", Wake.EVERY_LEVEL, null));
    assertThat(w.wakes(0)).isTrue();
    assertThat(w.wakes(3)).isTrue();
    assertThat(Wake.parse("odd@x").level()).isEqualTo(Wake.EVERY_LEVEL);
  }
}
