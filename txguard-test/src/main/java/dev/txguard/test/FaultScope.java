package dev.txguard.test;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An active {@link Fault}, from {@link FaultInjector#inject(Fault)}; closing it deactivates the
 * fault. Thread-safe.
 */
public final class FaultScope implements AutoCloseable {
  private final Fault fault;
  private final AtomicInteger fired;
  private final Runnable deactivate;

  FaultScope(Fault fault, AtomicInteger fired, Runnable deactivate) {
    this.fault = fault;
    this.fired = fired;
    this.deactivate = deactivate;
  }

  /** {@return how many times the fault fired so far} */
  public int fired() {
    return fired.get();
  }

  /** {@return the fault} */
  public Fault fault() {
    return fault;
  }

  /** Deactivates the fault; idempotent. */
  @Override
  public void close() {
    deactivate.run();
  }
}
