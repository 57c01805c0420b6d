package dev.txguard.internal;

import dev.txguard.TxListener;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Delivers unit events to the database's {@link TxListener}. No throwable from the listener ever
 * reaches the unit: an {@link Error} from a metrics library must not turn a commit into a failure
 * or stop the watchdog. Thread-safe.
 */
final class Listeners {
  private final TxListener listener;

  /**
   * @param listener the database's listener, or null for none
   */
  Listeners(TxListener listener) {
    this.listener = listener;
  }

  void begin(TxImpl tx) {
    if (listener != null) {
      fire(l -> l.onBegin(tx));
    }
  }

  void commit(TxImpl tx, Unit unit) {
    if (listener != null) {
      Duration elapsed = unit.age();
      fire(l -> l.onCommit(tx, elapsed));
    }
  }

  void rollback(TxImpl tx, Throwable cause) {
    if (listener != null) {
      fire(l -> l.onRollback(tx, cause));
    }
  }

  void retry(String unitName, int next, Throwable cause, Duration delay) {
    Engine.LOG.debug(
        "unit '{}' will retry (attempt {}) in {} after: {}",
        unitName,
        next,
        delay,
        RetryPolicy.summary(cause));
    if (listener != null) {
      fire(l -> l.onRetry(unitName, next, cause, delay));
    }
  }

  /** Sends one event; whatever the listener throws is logged and dropped. */
  void fire(Consumer<TxListener> event) {
    if (listener == null) {
      return;
    }
    try {
      event.accept(listener);
    } catch (Throwable e) {
      SafeLog.warn(Engine.LOG, e, "TxListener {} threw; ignored", listener);
    }
  }
}
