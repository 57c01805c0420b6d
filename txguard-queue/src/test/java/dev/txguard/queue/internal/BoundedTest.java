package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Bounded texts (issue 14, item 7), without a database. */
class BoundedTest {
  @Test
  void aLongTextKeepsItsHeadAndSaysHowMuchWasCut() {
    String text = "x".repeat(42_000);

    assertThat(Bounded.text(text, 100))
        .isEqualTo("x".repeat(100) + "... [41900 of 42000 characters cut]");
    assertThat(Bounded.text("short", 100)).isEqualTo("short");
    assertThat(Bounded.text(null, 100)).isNull();
  }

  @Test
  void theCutNeverSplitsASurrogatePair() {
    String text = "ab\uD83D\uDE00cd"; // a, b, an emoji (two chars), c, d

    assertThat(Bounded.text(text, 3)).isEqualTo("ab... [4 of 6 characters cut]");
  }
}
