package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** When a fetcher's claim starts after its previous one, and when from the head. */
class ClaimCursorTest {
  private static final Object[] HEAD = {-1, ClaimCursor.runAt(0), 0L};
  private static final long SECOND = ClaimCursor.FULL_SCAN_NANOS;

  @Test
  void theFirstClaimScansFromTheHead() {
    assertThat(new ClaimCursor().next(0)).containsExactly(HEAD);
  }

  @Test
  void aFullClaimMakesTheNextStartAfterTheGreatestKeyItTook() {
    ClaimCursor cursor = new ClaimCursor();
    cursor.next(0);
    ClaimCursor.Key last =
        new ClaimCursor.Key(2, 500, 9).max(new ClaimCursor.Key(2, 400, 30)).max(null);
    cursor.claimed(last, last, true, 1);
    assertThat(cursor.next(SECOND / 2)).containsExactly(2, ClaimCursor.runAt(500), 9L);
  }

  @Test
  void aShortClaimMakesTheNextStartASecondBeforeTheGreatestRunAtOfTheBestPriorityItTook() {
    ClaimCursor cursor = new ClaimCursor();
    cursor.next(0);
    ClaimCursor.Key last = null;
    ClaimCursor.Key trail = null;
    for (ClaimCursor.Key k :
        List.of(
            new ClaimCursor.Key(3, 9_000_000, 7),
            new ClaimCursor.Key(1, 5_000_000, 40),
            new ClaimCursor.Key(1, 6_000_000, 2),
            new ClaimCursor.Key(2, 1_000_000, 1))) {
      last = k.max(last);
      trail = k.trail(trail);
    }
    assertThat(last).isEqualTo(new ClaimCursor.Key(3, 9_000_000, 7));
    assertThat(trail).isEqualTo(new ClaimCursor.Key(1, 6_000_000, 2));
    cursor.claimed(last, trail, false, 1);
    assertThat(cursor.next(2)).containsExactly(1, ClaimCursor.runAt(5_000_000), 0L);
  }

  @Test
  void aClaimThatTookNothingLeavesTheCursorWhereItWas() {
    ClaimCursor cursor = new ClaimCursor();
    cursor.next(0);
    ClaimCursor.Key k = new ClaimCursor.Key(0, 5_000_000, 9);
    cursor.claimed(k, k, true, 1);
    cursor.next(2);
    cursor.claimed(null, null, false, 3);
    assertThat(cursor.next(4)).containsExactly(0, ClaimCursor.runAt(5_000_000), 9L);
  }

  @Test
  void aShortClaimAfterTheCursorAsksForOneFromTheHeadOnceTheGapHasPassed() {
    long ms = 1_000_000;
    ClaimCursor cursor = new ClaimCursor();
    cursor.next(0); // from the head, took 2 ms: the gap becomes 40 ms
    ClaimCursor.Key k = new ClaimCursor.Key(0, 5_000_000, 9);
    cursor.claimed(k, k, false, 2 * ms);
    assertThat(cursor.headGapNanos()).isEqualTo(40 * ms);
    assertThat(cursor.next(3 * ms)[0]).as("after the cursor").isEqualTo(0);
    cursor.claimed(null, null, false, 4 * ms);
    // both count from the end of the claim from the head, at 2 ms
    assertThat(cursor.wantHead(4 * ms))
        .as("without a wake-up: a second after the last claim from the head ended")
        .isEqualTo(SECOND - 2 * ms);
    assertThat(cursor.next(20 * ms)[0]).as("wanted, but within the gap").isEqualTo(0);
    assertThat(cursor.next(42 * ms)).as("wanted, the gap passed").containsExactly(HEAD);
    assertThat(cursor.lastFromHead()).isTrue();
    cursor.claimed(null, null, false, 43 * ms); // took 1 ms: the gap floor, 20 ms
    assertThat(cursor.headGapNanos()).isEqualTo(ClaimCursor.MIN_HEAD_GAP_NANOS * 2);
    assertThat(cursor.next(44 * ms)[0]).as("within the new gap: after the cursor").isEqualTo(0);
    cursor.headDue(); // a poll
    assertThat(cursor.next(45 * ms)).as("a poll scans from the head at once").containsExactly(HEAD);
  }

  @Test
  void atLightLoadEveryClaimAfterAShortOneStartsAtTheHead() {
    long ms = 1_000_000;
    ClaimCursor cursor = new ClaimCursor();
    ClaimCursor.Key k = new ClaimCursor.Key(0, 5_000_000, 9);
    cursor.next(0);
    cursor.claimed(k, k, false, ms); // took 1 ms: the gap is 20 ms
    assertThat(cursor.next(300 * ms)).as("a wake-up 300 ms later").containsExactly(HEAD);
    cursor.claimed(k, k, false, 301 * ms);
    assertThat(cursor.next(600 * ms)).as("and the next").containsExactly(HEAD);
    cursor.claimed(k, k, true, 601 * ms);
    assertThat(cursor.next(900 * ms)[0]).as("after a full claim: the cursor").isEqualTo(0);
  }

  @Test
  void theGapIsTwentyTimesTheLastClaimFromTheHeadWithinItsBounds() {
    long ms = 1_000_000;
    ClaimCursor cursor = new ClaimCursor();
    ClaimCursor.Key k = new ClaimCursor.Key(0, 5_000_000, 9);
    cursor.next(0);
    cursor.claimed(k, k, false, 0);
    assertThat(cursor.headGapNanos()).isEqualTo(ClaimCursor.MIN_HEAD_GAP_NANOS);
    cursor.headDue();
    cursor.next(10 * ms);
    cursor.claimed(k, k, false, 10 * ms + 30 * ms);
    assertThat(cursor.headGapNanos()).isEqualTo(600 * ms);
    cursor.headDue();
    cursor.next(100 * ms);
    cursor.claimed(k, k, false, 100 * ms + 80 * ms);
    assertThat(cursor.headGapNanos()).isEqualTo(SECOND);
  }

  @Test
  void itTellsWhetherTheLastClaimStartedAtTheHead() {
    ClaimCursor cursor = new ClaimCursor();
    assertThat(cursor.lastFromHead()).as("before any claim").isTrue();
    cursor.next(0);
    assertThat(cursor.lastFromHead()).as("the first claim").isTrue();
    cursor.claimed(new ClaimCursor.Key(0, 1, 1), new ClaimCursor.Key(0, 1, 1), true, 0);
    cursor.next(1);
    assertThat(cursor.lastFromHead()).as("a claim after a full one").isFalse();
    cursor.claimed(new ClaimCursor.Key(0, 1, 2), new ClaimCursor.Key(0, 1, 2), false, 1);
    cursor.next(2);
    assertThat(cursor.lastFromHead()).as("a claim after a short one").isFalse();
    cursor.claimed(new ClaimCursor.Key(0, 1, 3), new ClaimCursor.Key(0, 1, 3), true, 2);
    cursor.next(2 + SECOND);
    assertThat(cursor.lastFromHead()).as("a claim a second after the last from the head").isTrue();
  }

  @Test
  void aJobWithAnInfiniteRunAtOrAFailedClaimMakesTheNextScanFromTheHead() {
    ClaimCursor cursor = new ClaimCursor();
    cursor.next(0);
    cursor.claimed(null, null, true, 0);
    assertThat(cursor.next(1)).containsExactly(HEAD);
    cursor.claimed(new ClaimCursor.Key(0, 1, 1), new ClaimCursor.Key(0, 1, 1), true, 1);
    cursor.reset();
    assertThat(cursor.next(2)).containsExactly(HEAD);
  }

  @Test
  void atLeastOnceASecondAClaimScansFromTheHeadEvenWhileEveryClaimIsFull() {
    ClaimCursor cursor = new ClaimCursor();
    long t = 0;
    int fromHead = 0;
    for (int i = 0; i < 1_000; i++) {
      Object[] after = cursor.next(t);
      if (after[0].equals(-1)) {
        fromHead++;
      }
      ClaimCursor.Key k = new ClaimCursor.Key(5, 1_000 + i, i);
      cursor.claimed(k, k, true, t);
      t += SECOND / 100; // 100 full claims a second, for 10 s
    }
    assertThat(fromHead).isEqualTo(10);
  }

  /**
   * brk11 finding 1: a claim from the head that walks so many dead entries that it takes longer
   * than {@link ClaimCursor#FULL_SCAN_NANOS} must not make the next claim scan from the head at
   * once. Counted from the head claim's start, the second has passed when it returns, so every
   * claim after it scanned from the head again: the case the cursor is for (millions of dead
   * entries) got no cursor at all.
   */
  @Test
  void aClaimFromTheHeadLongerThanTheSecondIsNotFollowedAtOnceByAnother() {
    long ms = 1_000_000;
    ClaimCursor cursor = new ClaimCursor();
    long t = 0;
    int fromHead = 0;
    int claims = 0;
    // a backlog (every claim full) for 20 s: a claim from the head takes 1.2 s, one from the cursor
    // 1 ms
    while (t < 20 * SECOND) {
      Object[] after = cursor.next(t);
      claims++;
      boolean head = after[0].equals(-1);
      if (head) {
        fromHead++;
      }
      t += head ? 1_200 * ms : ms;
      ClaimCursor.Key k = new ClaimCursor.Key(5, t / 1_000, claims);
      cursor.claimed(k, k, true, t);
    }
    assertThat(fromHead)
        .as("claims from the head among %d claims in 20 s (each from the head took 1.2 s)", claims)
        .isLessThan(claims / 2);
  }

  @Test
  void keysCompareByPriorityThenRunAtThenId() {
    ClaimCursor.Key a = new ClaimCursor.Key(0, 900, 99);
    ClaimCursor.Key b = new ClaimCursor.Key(1, 100, 1);
    ClaimCursor.Key c = new ClaimCursor.Key(1, 100, 2);
    ClaimCursor.Key d = new ClaimCursor.Key(1, 200, 0);
    assertThat(a).isLessThan(b);
    assertThat(b).isLessThan(c);
    assertThat(c).isLessThan(d);
    assertThat(a.max(d)).isEqualTo(d);
    assertThat(d.max(a)).isEqualTo(d);
  }
}
