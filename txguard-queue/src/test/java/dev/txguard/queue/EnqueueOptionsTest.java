package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class EnqueueOptionsTest {
  @Test
  void defaults() {
    EnqueueOptions d = EnqueueOptions.defaults();
    assertThat(d.queue()).isEqualTo("default");
    assertThat(d.priority()).isZero();
    assertThat(d.maxAttempts()).isEqualTo(20);
    assertThat(d.runAt()).isEmpty();
    assertThat(d.uniqueKey()).isEmpty();
    assertThat(d.group()).isEmpty();
  }

  @Test
  void withersReturnNewInstancesAndLeaveTheOriginal() {
    EnqueueOptions d = EnqueueOptions.defaults();
    EnqueueOptions o =
        d.queue("mail")
            .priority(2)
            .maxAttempts(3)
            .uniqueKey("k")
            .group("g")
            .runAt(Instant.parse("2030-01-01T00:00:00Z"));
    assertThat(d).isEqualTo(EnqueueOptions.defaults());
    assertThat(o.queue()).isEqualTo("mail");
    assertThat(o.priority()).isEqualTo(2);
    assertThat(o.maxAttempts()).isEqualTo(3);
    assertThat(o.uniqueKey()).hasValue("k");
    assertThat(o.group()).hasValue("g");
    assertThat(o.runAt()).hasValue(Instant.parse("2030-01-01T00:00:00Z"));
    assertThat(o)
        .isEqualTo(
            d.queue("mail")
                .priority(2)
                .maxAttempts(3)
                .uniqueKey("k")
                .group("g")
                .runAt(Instant.parse("2030-01-01T00:00:00Z")));
  }

  @Test
  void everyBadValueIsNamedWithItsRule() {
    EnqueueOptions d = EnqueueOptions.defaults();
    assertThatThrownBy(() -> d.queue(null)).hasMessageEndingWith("was null");
    assertThatThrownBy(() -> d.queue("has space"))
        .hasMessageStartingWith("queue must be")
        .hasMessageEndingWith("was \"has space\"");
    assertThatThrownBy(() -> d.queue("x".repeat(129)))
        .hasMessageStartingWith("queue must be 1 to 128");
    assertThatThrownBy(() -> d.priority(32768))
        .hasMessage("priority must be between 0 and 32767 (lower runs first), was 32768");
    assertThatThrownBy(() -> d.maxAttempts(-5))
        .hasMessage("maxAttempts must be at least 1, was -5");
    assertThatThrownBy(() -> d.runAt(Instant.parse("1969-12-31T23:59:59Z")))
        .hasMessage(
            "runAt must be an instant between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z, was 1969-12-31T23:59:59Z");
    assertThatThrownBy(() -> d.group(""))
        .hasMessage("group must be 1 to 128 characters and not blank, was \"\"");
    assertThatThrownBy(() -> d.uniqueKey(null))
        .hasMessage("uniqueKey must be 1 to 128 characters and not blank, was null");
  }

  @Test
  void finalStates() {
    assertThat(JobState.values())
        .filteredOn(JobState::isFinal)
        .containsExactly(
            JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED, JobState.DISCARDED);
    assertThat(JobState.fromSql("retryable")).isEqualTo(JobState.RETRYABLE);
    assertThat(JobState.RUNNING.sqlName()).isEqualTo("running");
  }
}
