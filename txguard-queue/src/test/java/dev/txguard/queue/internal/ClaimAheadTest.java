package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ClaimAheadTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void anUnknownMeanLeavesThePrefetch() {
    assertThat(ClaimAhead.limit(20, 2, ClaimAhead.UNKNOWN)).isEqualTo(20);
    assertThat(ClaimAhead.limit(0, 2, ClaimAhead.UNKNOWN)).isZero();
    assertThat(new ClaimAhead(20, 2).limit()).isEqualTo(20);
  }

  @Test
  void theSlotsFinishWithinTheWindowWhatIsClaimedAhead() {
    // 2 slots, 10 ms: 1 ms handlers finish 20, 0.1 ms ones 200, 3 ms ones 6 (rounded down)
    assertThat(ClaimAhead.limit(1000, 2, MS)).isEqualTo(20);
    assertThat(ClaimAhead.limit(1000, 2, MS / 10)).isEqualTo(200);
    assertThat(ClaimAhead.limit(1000, 2, 3 * MS)).isEqualTo(6);
    assertThat(ClaimAhead.limit(1000, 16, 200 * MS)).isZero();
  }

  /**
   * The examples of JobQueue.Builder#prefetch and the queue README, at concurrency 16: handlers of
   * 0.1 ms keep up to 1,600 jobs ahead, of 1 ms 160, of 20 ms 8, of 200 ms none; with the README's
   * throughput setting (prefetch 7 x 16) handlers of 1 ms keep the whole 112.
   */
  @Test
  void theDocumentedExamplesAtConcurrencySixteen() {
    assertThat(ClaimAhead.limit(10_000, 16, MS / 10)).isEqualTo(1600);
    assertThat(ClaimAhead.limit(10_000, 16, MS)).isEqualTo(160);
    assertThat(ClaimAhead.limit(10_000, 16, 20 * MS)).isEqualTo(8);
    assertThat(ClaimAhead.limit(10_000, 16, 200 * MS)).isZero();
    assertThat(ClaimAhead.limit(7 * 16, 16, MS)).isEqualTo(112);
  }

  @Test
  void neverMoreThanThePrefetch() {
    assertThat(ClaimAhead.limit(50, 2, 1)).isEqualTo(50);
    assertThat(ClaimAhead.limit(0, 2, MS)).isZero();
    assertThat(ClaimAhead.limit(10_000, 10_000, 1)).isEqualTo(10_000);
  }

  @Test
  void handlersSlowerThanTheWindowPerSlotClaimNothingAhead() {
    assertThat(ClaimAhead.limit(20, 2, 100 * MS)).isZero();
    assertThat(ClaimAhead.limit(20, 2, 5 * MS + 1)).isEqualTo(3);
    assertThat(ClaimAhead.limit(20, 2, Long.MAX_VALUE)).isZero();
  }

  @Test
  void aMeanOfZeroNanosecondsDoesNotDivideByZero() {
    assertThat(ClaimAhead.limit(20, 2, 0)).isEqualTo(20);
    ClaimAhead ahead = new ClaimAhead(20, 2);
    ahead.slotReleased(0);
    assertThat(ahead.meanNanos()).isZero();
    assertThat(ahead.limit()).isEqualTo(20);
  }

  @Test
  void theFirstSlotTimeIsTheMeanAndEachLaterOneWeighsAnEighth() {
    ClaimAhead ahead = new ClaimAhead(20, 2);
    ahead.slotReleased(100 * MS);
    assertThat(ahead.meanNanos()).isEqualTo(100 * MS);
    assertThat(ahead.limit()).isZero();
    ahead.slotReleased(20 * MS);
    assertThat(ahead.meanNanos()).isEqualTo(90 * MS);
    ahead.slotReleased(-5); // a clock that went back counts as 0
    assertThat(ahead.meanNanos()).isEqualTo(90 * MS - 90 * MS / 8);
  }

  @Test
  void aMeanOfShortSlotTimesGivesThePrefetchBack() {
    ClaimAhead ahead = new ClaimAhead(20, 2);
    ahead.slotReleased(100 * MS); // one slow job
    for (int i = 0; i < 100; i++) {
      ahead.slotReleased(MS / 10);
    }
    assertThat(ahead.limit()).isEqualTo(20);
  }

  @Test
  void itsTextShowsTheLimitAndTheMean() {
    ClaimAhead ahead = new ClaimAhead(20, 2);
    assertThat(ahead).hasToString("claim-ahead 20 of prefetch 20, mean slot time unknown");
    ahead.slotReleased(4 * MS);
    assertThat(ahead).hasToString("claim-ahead 5 of prefetch 20, mean slot time 4.000 ms");
  }
}
