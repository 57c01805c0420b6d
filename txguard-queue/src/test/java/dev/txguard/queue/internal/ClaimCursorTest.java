package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

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
    cursor.claimed(last, true);
    assertThat(cursor.next(SECOND / 2)).containsExactly(2, ClaimCursor.runAt(500), 9L);
  }

  @Test
  void aShortClaimMakesTheNextScanFromTheHead() {
    ClaimCursor cursor = new ClaimCursor();
    cursor.next(0);
    cursor.claimed(new ClaimCursor.Key(0, 1, 1), false);
    assertThat(cursor.next(1)).containsExactly(HEAD);
  }

  @Test
  void itTellsWhetherTheLastClaimStartedAtTheHead() {
    ClaimCursor cursor = new ClaimCursor();
    assertThat(cursor.lastFromHead()).as("before any claim").isTrue();
    cursor.next(0);
    assertThat(cursor.lastFromHead()).as("the first claim").isTrue();
    cursor.claimed(new ClaimCursor.Key(0, 1, 1), true);
    cursor.next(1);
    assertThat(cursor.lastFromHead()).as("a claim after a full one").isFalse();
    cursor.claimed(new ClaimCursor.Key(0, 1, 2), false);
    cursor.next(2);
    assertThat(cursor.lastFromHead()).as("a claim after a short one").isTrue();
    cursor.claimed(new ClaimCursor.Key(0, 1, 3), true);
    cursor.next(2 + SECOND);
    assertThat(cursor.lastFromHead()).as("a claim a second after the last from the head").isTrue();
  }

  @Test
  void aJobWithAnInfiniteRunAtOrAFailedClaimMakesTheNextScanFromTheHead() {
    ClaimCursor cursor = new ClaimCursor();
    cursor.next(0);
    cursor.claimed(null, true);
    assertThat(cursor.next(1)).containsExactly(HEAD);
    cursor.claimed(new ClaimCursor.Key(0, 1, 1), true);
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
      cursor.claimed(new ClaimCursor.Key(5, 1_000 + i, i), true);
      t += SECOND / 100; // 100 full claims a second, for 10 s
    }
    assertThat(fromHead).isEqualTo(10);
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
