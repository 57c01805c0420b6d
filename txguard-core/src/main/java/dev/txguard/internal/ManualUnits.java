package dev.txguard.internal;

import dev.txguard.TxHandle;
import dev.txguard.TxOptions;
import java.util.Arrays;

/**
 * Manual units ({@code db.begin()}): opening, the handle's commit and rollback, and the end of a
 * unit whose handle became unreachable. Thread-safe; each unit is confined to its handle's user.
 */
final class ManualUnits {
  private final Engine engine;
  private final UnitOpener opener;
  private final Listeners listeners;
  private final Hooks hooks;
  private final Watchdog watchdog;

  ManualUnits(
      Engine engine, UnitOpener opener, Listeners listeners, Hooks hooks, Watchdog watchdog) {
    this.engine = engine;
    this.opener = opener;
    this.listeners = listeners;
    this.hooks = hooks;
    this.watchdog = watchdog;
  }

  /** Begins a manual unit at the calling thread's next level; see {@code TxHandle}. */
  TxHandle begin(TxOptions options) {
    StackTraceElement[] stack = callerStack();
    ThreadContext ctx = ThreadContext.get();
    int level = ctx.nextLevel(engine);
    engine.checkLevel(ctx, level);
    Unit unit = opener.open(options, 1, System.nanoTime(), level, stack);
    try {
      unit.start();
      ManualHandle handle = new ManualHandle(unit, this);
      listeners.begin(handle.txImpl());
      return handle;
    } catch (RuntimeException e) {
      unit.rollback(e);
      unit.release();
      throw e;
    }
  }

  /** The caller's stack without txguard's own frames, for leak and pool-exhaustion reports. */
  private static StackTraceElement[] callerStack() {
    StackTraceElement[] stack = new Throwable().getStackTrace();
    int first = 0;
    while (first < stack.length && StackText.isEntry(stack[first].getClassName())) {
      first++;
    }
    return Arrays.copyOfRange(stack, first, stack.length);
  }

  void commit(Unit unit, TxImpl tx) {
    try {
      unit.commit();
      listeners.commit(tx, unit);
    } catch (RuntimeException e) {
      unit.rollback(e);
      listeners.rollback(tx, e);
      unit.release();
      hooks.run(unit, false);
      throw e;
    }
    unit.release();
    hooks.run(unit, true);
  }

  void rollback(Unit unit, TxImpl tx, Throwable cause) {
    try {
      unit.rollback(cause);
    } finally {
      unit.release();
    }
    listeners.rollback(tx, cause);
    hooks.run(unit, false);
  }

  /**
   * A manual unit whose handle is gone: ends whatever its handle did not. A unit still open is
   * reported as a leak and rolled back; one that timed out is released; either way its
   * after-rollback actions run (here, on the cleaner's thread). Nothing to do for a unit its handle
   * ended.
   */
  void abandoned(Unit unit) {
    if (unit.released()) {
      return;
    }
    if (unit.active()) {
      watchdog.reportLeak(unit, true);
    }
    try {
      unit.rollback(null);
    } catch (RuntimeException e) {
      Engine.LOG.warn("rolling back abandoned unit '{}' failed: {}", unit.name(), e.toString());
    } finally {
      unit.release();
    }
    hooks.run(unit, false);
  }
}
