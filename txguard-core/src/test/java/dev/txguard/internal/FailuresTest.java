package dev.txguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.internal.dialect.Dialects;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The cause-chain walk every classification uses; no database needed. */
class FailuresTest {
  @Test
  void aTwoExceptionCycleEndsWhereItWouldRepeat() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertThat(Failures.causes(a)).containsExactly(a, b);
    assertThat(Failures.root(a)).isSameAs(b);
    assertThat(Failures.retryable(Dialects.forUrl("jdbc:postgresql:test"), a, true)).isFalse();
    assertThat(Failures.hasFinalVerdict(a)).isFalse();
  }

  @Test
  void aRetryableStateDeepInTheChainIsFound() {
    SQLException conflict = new SQLException("could not serialize", "40001");
    RuntimeException wrapped = new RuntimeException(new IllegalStateException(conflict));
    assertThat(Failures.retryable(Dialects.forUrl("jdbc:postgresql:test"), wrapped, false))
        .isTrue();
    assertThat(Failures.root(wrapped)).isSameAs(conflict);
  }

  @Test
  void aVeryLongChainIsCut() {
    Throwable t = new RuntimeException("0");
    for (int i = 1; i < 5000; i++) {
      t = new RuntimeException(String.valueOf(i), t);
    }
    assertThat(Failures.causes(t)).hasSize(Failures.MAX_CHAIN);
  }

  @Test
  void aGetCauseThatThrowsEndsTheChain() {
    Throwable unreadable =
        new RuntimeException("outer") {
          @Override
          public synchronized Throwable getCause() {
            throw new IllegalStateException("no session");
          }
        };
    Throwable t = new RuntimeException("wrapper", unreadable);
    assertThat(Failures.causes(t)).containsExactly(t, unreadable);
  }

  @Test
  void nullHasNoCauses() {
    assertThat(Failures.causes(null)).isEmpty();
  }
}
