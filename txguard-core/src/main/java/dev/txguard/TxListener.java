package dev.txguard;

import java.time.Duration;

/**
 * Receives events about units, for metrics and logging. Every method has a no-op default, so a
 * listener overrides only what it needs. Calls come on the thread that ran the unit (leaks: on
 * txguard's watchdog thread, or for a dropped handle on the {@code txguard-handle-cleaner} thread);
 * a listener that throws is logged and otherwise ignored, it never changes a unit's outcome.
 * Implementations must be thread-safe and fast. {@code txguard-micrometer}'s {@code TxguardMetrics}
 * is one.
 */
public interface TxListener {
  /**
   * An attempt began; {@code tx.attempt()} says which.
   *
   * @param tx the attempt's {@code Tx}, for its {@code name()} and {@code attempt()}
   */
  default void onBegin(Tx tx) {}

  /**
   * An attempt committed after running for {@code elapsed}.
   *
   * @param tx the attempt's {@code Tx}, for its {@code name()} and {@code attempt()}
   * @param elapsed from the attempt's start to the end of its COMMIT
   */
  default void onCommit(Tx tx, Duration elapsed) {}

  /**
   * An attempt rolled back.
   *
   * @param cause why: the callback's exception, or {@code null} for an explicit rollback
   * @param tx the attempt's {@code Tx}, for its {@code name()} and {@code attempt()}
   */
  default void onRollback(Tx tx, Throwable cause) {}

  /**
   * A unit will run again.
   *
   * @param name the unit's name
   * @param nextAttempt the attempt about to start (2 or more)
   * @param cause the retryable failure of the previous attempt
   * @param delay the backoff sleep before the next attempt
   */
  default void onRetry(String name, int nextAttempt, Throwable cause, Duration delay) {}

  /**
   * A unit stayed open too long, or a manual handle was dropped without being closed.
   *
   * @param report the unit's name, age, thread and the stack that opened it
   */
  default void onLeak(LeakReport report) {}

  /**
   * An after-commit or after-rollback action of unit {@code name} threw {@code error}.
   *
   * @param name the unit's name
   * @param error what the action threw (also logged)
   */
  default void onHookFailed(String name, Throwable error) {}

  /**
   * A thread waited too long for a connection; {@code error} names the holders. The waiting caller
   * gets {@code error} thrown too.
   *
   * @param error the exception the waiting caller gets, naming the pool's counts and holders
   */
  default void onPoolExhausted(PoolExhaustedException error) {}
}
