package dev.txguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Describing a throwable that cannot describe itself; no database needed. */
class SafeLogTest {
  @Test
  void aThrowableWhoseToStringThrowsIsDescribedByItsClassAndWhatItThrew() {
    Throwable unprintable =
        new IllegalStateException("lazy") {
          @Override
          public String toString() {
            throw new UnsupportedOperationException("no session");
          }
        };
    assertThat(SafeLog.describe(unprintable))
        .startsWith(unprintable.getClass().getName())
        .contains("could not be printed")
        .contains("java.lang.UnsupportedOperationException");
  }

  @Test
  void aPrintableThrowableIsItsToString() {
    assertThat(SafeLog.describe(new IllegalStateException("plain")))
        .isEqualTo("java.lang.IllegalStateException: plain");
  }
}
