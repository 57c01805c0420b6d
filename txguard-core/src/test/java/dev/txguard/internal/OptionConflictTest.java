package dev.txguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Isolation;
import dev.txguard.TxOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * When a nested {@code inTx} may join the unit it runs in ({@code RetryLoop.conflict}): it may ask
 * for the same or a weaker guarantee, never a stronger one. No database needed.
 */
class OptionConflictTest {
  private static final TxOptions OUTER = TxOptions.defaults().name("outer");

  @ParameterizedTest
  @EnumSource(Isolation.class)
  void aNestedCallMayAskForTheSameOrWeakerIsolation(Isolation outer) {
    for (Isolation inner : Isolation.values()) {
      String conflict =
          RetryLoop.conflict(OUTER.isolation(outer), TxOptions.defaults().isolation(inner));
      if (inner.ordinal() <= outer.ordinal()) {
        assertThat(conflict).as(inner + " inside " + outer).isNull();
      } else {
        assertThat(conflict).as(inner + " inside " + outer).isNotNull();
      }
    }
  }

  @Test
  void strongerIsolationNamesBothSettingsAndTheWayOut() {
    String conflict =
        RetryLoop.conflict(
            OUTER, TxOptions.defaults().name("inner").isolation(Isolation.SERIALIZABLE));
    assertThat(conflict)
        .isEqualTo(
            "nested unit 'inner' asks for isolation SERIALIZABLE but the unit runs at"
                + " READ_COMMITTED and would join unit 'outer' (READ_COMMITTED, read-write); give it compatible"
                + " options, or use db.inNewTx(...) for an independent unit");
  }

  @Test
  void readWriteCannotJoinReadOnlyButReadOnlyMayJoinReadWrite() {
    assertThat(RetryLoop.conflict(OUTER.readOnly(true), TxOptions.defaults().name("writer")))
        .contains("nested unit 'writer' asks for read-write but the unit is read-only")
        .contains("(READ_COMMITTED, read-only)");
    assertThat(RetryLoop.conflict(OUTER, TxOptions.defaults().readOnly(true))).isNull();
    assertThat(RetryLoop.conflict(OUTER.readOnly(true), TxOptions.defaults().readOnly(true)))
        .isNull();
  }

  @Test
  void retryAndTimeSettingsOfAJoiningCallDoNotConflict() {
    // they apply only to the outermost unit, which alone retries and owns the deadline
    TxOptions inner =
        TxOptions.defaults()
            .name("inner")
            .maxAttempts(9)
            .timeout(Duration.ofMillis(5))
            .backoff(Duration.ofMillis(1), Duration.ofMillis(2));
    assertThat(RetryLoop.conflict(OUTER, inner)).isNull();
  }
}
