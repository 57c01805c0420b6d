package dev.txguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Isolation;
import dev.txguard.RetriesExhaustedException;
import dev.txguard.TxOptions;
import dev.txguard.TxTimeoutException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The retry decision, the backoff schedule, and the nested-options rule, as pure functions; no
 * database needed.
 */
class RetryPolicyTest {
  static final TxOptions OPTIONS =
      TxOptions.defaults()
          .name("transfer")
          .maxAttempts(3)
          .backoff(Duration.ofMillis(10), Duration.ofMillis(35));
  static final RuntimeException CONFLICT =
      new RuntimeException(new SQLException("could not serialize access", "40001"));

  @Test
  void aFailureThatIsNotRetryableIsThrownAsItIs() {
    IllegalStateException business = new IllegalStateException("no stock");
    assertThat(RetryPolicy.verdict(OPTIONS, 1, business, false, false)).isSameAs(business);
  }

  @Test
  void aRetryableFailureRunsTheUnitAgainUntilTheLastAttempt() {
    assertThat(RetryPolicy.verdict(OPTIONS, 1, CONFLICT, true, false)).isNull();
    assertThat(RetryPolicy.verdict(OPTIONS, 2, CONFLICT, true, false)).isNull();
    Throwable last = RetryPolicy.verdict(OPTIONS, 3, CONFLICT, true, false);
    assertThat(last)
        .isInstanceOf(RetriesExhaustedException.class)
        .hasMessage(
            "unit 'transfer' failed after 3 attempts (maxAttempts 3), the last with: SQLSTATE 40001"
                + " (could not serialize access)")
        .hasCause(CONFLICT);
  }

  @Test
  void noAttemptStartsPastTheDeadline() {
    TxOptions timed = OPTIONS.timeout(Duration.ofMillis(250));
    assertThat(RetryPolicy.verdict(timed, 1, CONFLICT, true, true))
        .isInstanceOf(TxTimeoutException.class)
        .hasMessage(
            "unit 'transfer' has no time left for attempt 2 within its timeout of 250 ms; attempt 1"
                + " failed with: SQLSTATE 40001 (could not serialize access)");
  }

  @Test
  void theBackoffCapDoublesFromTheInitialWaitAndStopsAtTheMaximum() {
    List<Long> caps =
        List.of(1, 2, 3, 4, 10).stream()
            .map(attempt -> RetryPolicy.backoffCapNanos(OPTIONS, attempt) / 1_000_000)
            .toList();
    assertThat(caps).containsExactly(10L, 20L, 35L, 35L, 35L);
  }

  @Test
  void theWaitIsDrawnFromZeroToTheCap() {
    assertThat(RetryPolicy.backoffNanos(OPTIONS, 2, cap -> cap)).isEqualTo(20_000_000L);
    assertThat(RetryPolicy.backoffNanos(OPTIONS, 2, cap -> 0)).isZero();
    TxOptions none = OPTIONS.backoff(Duration.ZERO, Duration.ZERO);
    assertThat(
            RetryPolicy.backoffNanos(
                none,
                1,
                cap -> {
                  throw new AssertionError("no draw when there is nothing to wait");
                }))
        .isZero();
  }

  @Test
  void aNestedUnitMayNotAskForStricterOptionsThanTheUnitItJoins() {
    TxOptions outer = TxOptions.defaults().name("outer").isolation(Isolation.REPEATABLE_READ);
    assertThat(RetryLoop.conflict(outer, TxOptions.defaults().name("inner"))).isNull();
    assertThat(
            RetryLoop.conflict(
                outer, TxOptions.defaults().name("inner").isolation(Isolation.SERIALIZABLE)))
        .isEqualTo(
            "nested unit 'inner' asks for isolation SERIALIZABLE but the unit runs at REPEATABLE_READ and would"
                + " join unit 'outer' (REPEATABLE_READ, read-write); give it compatible options, or use db.inNewTx(...)"
                + " for an independent unit");
    assertThat(RetryLoop.conflict(outer.readOnly(true), TxOptions.defaults().name("inner")))
        .contains("asks for read-write but the unit is read-only");
    assertThat(RetryLoop.conflict(outer.readOnly(false), TxOptions.defaults().readOnly(true)))
        .isNull();
  }

  @Test
  void lockKeysHashTheSameInEveryProcessAndRelease() {
    assertThat(LockKeys.id("orders")).isEqualTo(256865142);
    assertThat(LockKeys.id(42L)).isEqualTo(1851541577);
    assertThat(LockKeys.id(42)).isEqualTo(LockKeys.id(42L));
    assertThat(LockKeys.id("42")).isNotEqualTo(LockKeys.id(42L));
    assertThat(LockKeys.sortedIds(List.of("b", "a", "b"))).hasSize(2).isSorted();
  }
}
