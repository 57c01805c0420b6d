package dev.txguard.test;

import dev.txguard.LeakReport;
import dev.txguard.PoolExhaustedException;
import dev.txguard.Tx;
import dev.txguard.TxListener;
import java.time.Duration;
import java.util.List;

/** Several listeners as one (a database takes one); each call reaches all, in order. */
final class Listeners implements TxListener {
  private final List<TxListener> all;

  Listeners(List<TxListener> all) {
    this.all = List.copyOf(all);
  }

  @Override
  public void onBegin(Tx tx) {
    all.forEach(l -> l.onBegin(tx));
  }

  @Override
  public void onCommit(Tx tx, Duration elapsed) {
    all.forEach(l -> l.onCommit(tx, elapsed));
  }

  @Override
  public void onRollback(Tx tx, Throwable cause) {
    all.forEach(l -> l.onRollback(tx, cause));
  }

  @Override
  public void onRetry(String name, int nextAttempt, Throwable cause, Duration delay) {
    all.forEach(l -> l.onRetry(name, nextAttempt, cause, delay));
  }

  @Override
  public void onLeak(LeakReport report) {
    all.forEach(l -> l.onLeak(report));
  }

  @Override
  public void onHookFailed(String name, Throwable error) {
    all.forEach(l -> l.onHookFailed(name, error));
  }

  @Override
  public void onPoolExhausted(PoolExhaustedException error) {
    all.forEach(l -> l.onPoolExhausted(error));
  }
}
