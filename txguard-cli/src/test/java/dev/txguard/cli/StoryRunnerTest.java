package dev.txguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.cli.FakeStory.Behaviour;
import dev.txguard.cli.internal.ConnectionInfo;
import dev.txguard.cli.internal.StoryResult;
import dev.txguard.cli.internal.StoryRunner;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The runner's verdicts and its hard time limit, on stories that need no database. */
class StoryRunnerTest {
  private static final ConnectionInfo NOWHERE =
      new ConnectionInfo("jdbc:postgresql://127.0.0.1:1/none", null, null);

  private static StoryResult run(Behaviour naive, Behaviour txguard, Duration limit) {
    return new StoryRunner(NOWHERE, 1, limit).run(new FakeStory(9, "fake", naive, txguard));
  }

  @Test
  void faultInNaiveAndNoneWithTxguardHolds() {
    StoryResult r = run(Behaviour.FAULT, Behaviour.CLEAN, Duration.ofSeconds(5));

    assertThat(r.held()).isTrue();
    assertThat(r.naiveShowedFault()).isTrue();
    assertThat(r.verdict()).isEqualTo("held");
  }

  @Test
  void aNaiveRunWithoutTheFaultIsReportedAsSuch() {
    StoryResult r = run(Behaviour.CLEAN, Behaviour.CLEAN, Duration.ofSeconds(5));

    assertThat(r.held()).isTrue();
    assertThat(r.naiveShowedFault()).isFalse();
    assertThat(r.verdict()).isEqualTo("held; no fault");
  }

  @Test
  void aFaultWithTxguardFails() {
    StoryResult r = run(Behaviour.FAULT, Behaviour.FAULT, Duration.ofSeconds(5));

    assertThat(r.held()).isFalse();
    assertThat(r.verdict()).isEqualTo("FAILED");
  }

  @Test
  void aVariantThatThrowsIsReportedWithItsError() {
    StoryResult r = run(Behaviour.FAULT, Behaviour.THROW, Duration.ofSeconds(5));

    assertThat(r.held()).isFalse();
    assertThat(r.txguard().error()).isEqualTo("IllegalStateException: the fake story broke");
    assertThat(r.txguard().brief()).isEqualTo("did not finish");
  }

  @Test
  void aVariantPastTheHardLimitIsAbandonedNotWaitedFor() {
    long start = System.nanoTime();

    StoryResult r = run(Behaviour.HANG, Behaviour.CLEAN, Duration.ofMillis(300));

    // abandoned, not waited for: the hanging variant sleeps 60 s (no speed is asserted)
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("time until the run returned (the naive variant hangs for 60 s)")
        .isLessThan(Duration.ofSeconds(30));
    assertThat(r.naive().error()).isEqualTo("no result within the hard limit of 300 ms");
    assertThat(r.naiveShowedFault()).isFalse();
    assertThat(r.held()).isTrue();
  }
}
