package dev.txguard.spring.internal;

import dev.txguard.LeakReport;
import dev.txguard.PoolExhaustedException;
import dev.txguard.Tx;
import dev.txguard.TxListener;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Forwards a Database's events to every TxListener bean; one that throws is logged and skipped. */
public final class CompositeListener implements TxListener {
  private static final Logger LOG = LoggerFactory.getLogger(CompositeListener.class);
  private final List<TxListener> listeners;

  public CompositeListener(List<TxListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  private void each(Consumer<TxListener> event) {
    for (TxListener l : listeners) {
      try {
        event.accept(l);
      } catch (RuntimeException e) {
        LOG.warn("txguard listener {} failed; the unit's outcome is unchanged", l, e);
      }
    }
  }

  @Override
  public void onBegin(Tx tx) {
    each(l -> l.onBegin(tx));
  }

  @Override
  public void onCommit(Tx tx, Duration elapsed) {
    each(l -> l.onCommit(tx, elapsed));
  }

  @Override
  public void onRollback(Tx tx, Throwable cause) {
    each(l -> l.onRollback(tx, cause));
  }

  @Override
  public void onRetry(String name, int nextAttempt, Throwable cause, Duration delay) {
    each(l -> l.onRetry(name, nextAttempt, cause, delay));
  }

  @Override
  public void onLeak(LeakReport report) {
    each(l -> l.onLeak(report));
  }

  @Override
  public void onHookFailed(String name, Throwable error) {
    each(l -> l.onHookFailed(name, error));
  }

  @Override
  public void onPoolExhausted(PoolExhaustedException error) {
    each(l -> l.onPoolExhausted(error));
  }
}
