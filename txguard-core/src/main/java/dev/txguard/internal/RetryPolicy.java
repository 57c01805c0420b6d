package dev.txguard.internal;

import dev.txguard.RetriesExhaustedException;
import dev.txguard.TxOptions;
import dev.txguard.TxTimeoutException;
import java.sql.SQLException;
import java.util.function.LongUnaryOperator;

/**
 * The retry decision after a failed attempt and the backoff schedule: pure functions of the unit's
 * options, the attempt, the failure and the clock, so they can be tested without a database.
 */
final class RetryPolicy {
  private RetryPolicy() {}

  /**
   * What to throw after attempt {@code attempt} failed with {@code failure}, or null to run the
   * unit again: the failure itself when it is not {@code retryable}; {@link
   * RetriesExhaustedException} after attempt {@link TxOptions#maxAttempts()}; {@link
   * TxTimeoutException} when waiting {@code delayNanos} would pass the deadline ({@code
   * pastDeadline} says so).
   */
  static Throwable verdict(
      TxOptions options, int attempt, Throwable failure, boolean retryable, boolean pastDeadline) {
    if (!retryable) {
      return failure;
    }
    if (attempt >= options.maxAttempts()) {
      return exhausted(options, attempt, failure);
    }
    if (pastDeadline) {
      return outOfTime(options, attempt, failure);
    }
    return null;
  }

  /** The failure after the last allowed attempt, naming it and the limit. */
  private static RetriesExhaustedException exhausted(
      TxOptions options, int attempt, Throwable failure) {
    return new RetriesExhaustedException(
        "unit '"
            + options.name()
            + "' failed after "
            + attempt
            + " attempts (maxAttempts "
            + options.maxAttempts()
            + "), the last with: "
            + summary(failure),
        attempt,
        failure);
  }

  /** The failure when the next attempt would start past the unit's deadline. */
  private static TxTimeoutException outOfTime(TxOptions options, int attempt, Throwable failure) {
    return new TxTimeoutException(
        "unit '"
            + options.name()
            + "' has no time left for attempt "
            + (attempt + 1)
            + " within its timeout of "
            + options.timeout().orElseThrow().toMillis()
            + " ms; attempt "
            + attempt
            + " failed with: "
            + summary(failure),
        failure);
  }

  /**
   * The wait after failed attempt {@code failedAttempt} (1-based), in ns: full jitter over an
   * exponential cap, {@code random.applyAsLong(cap)} drawing uniformly from 0 to cap inclusive. The
   * cap starts at {@link TxOptions#backoffInitial()}, doubles per attempt and stops at {@link
   * TxOptions#backoffMax()}.
   */
  static long backoffNanos(TxOptions options, int failedAttempt, LongUnaryOperator random) {
    long cap = backoffCapNanos(options, failedAttempt);
    return cap <= 0 ? 0 : random.applyAsLong(cap);
  }

  /** The upper bound of the wait after failed attempt {@code failedAttempt}, in ns. */
  static long backoffCapNanos(TxOptions options, int failedAttempt) {
    long max = options.backoffMax().toNanos();
    long cap = options.backoffInitial().toNanos();
    for (int i = 1; i < failedAttempt && cap < max; i++) {
      cap = cap > max / 2 ? max : cap * 2;
    }
    return Math.min(cap, max);
  }

  /** One line naming the failure: its SQLSTATE and first message line when it has an SQL cause. */
  static String summary(Throwable failure) {
    for (Throwable t : Failures.causes(failure)) {
      if (t instanceof SQLException e) {
        String msg = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        return "SQLSTATE " + e.getSQLState() + " (" + msg + ")";
      }
    }
    return String.valueOf(failure);
  }
}
