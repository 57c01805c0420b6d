package dev.txguard.internal;

/**
 * Runs a unit's after-commit or after-rollback actions once its outcome is final, outside any unit
 * of its database. A failing action is logged and reported to the listener; the others still run.
 * Thread-safe.
 */
final class Hooks {
  private final Engine engine;
  private final Listeners listeners;

  Hooks(Engine engine, Listeners listeners) {
    this.engine = engine;
    this.listeners = listeners;
  }

  /**
   * Runs the hooks of a callback unit that has ended. When it ran inside another unit (an {@code
   * inNewTx} unit), that caller's unit is hidden while they run, and units the hooks open take the
   * ended unit's level.
   */
  void runOutside(ThreadContext ctx, Unit unit, boolean committed) {
    if (unit.hooks(committed).isEmpty()) {
      return;
    }
    if (ctx.find(engine) == null) {
      run(unit, committed);
      return;
    }
    int mark = ctx.enter(engine, unit.level());
    try {
      run(unit, committed);
    } finally {
      ctx.restore(mark);
    }
  }

  /** Runs a unit's hooks for its final outcome; failures are reported, never thrown. */
  void run(Unit unit, boolean committed) {
    for (Runnable hook : unit.hooks(committed)) {
      try {
        hook.run();
      } catch (Throwable e) {
        SafeLog.warn(
            Engine.LOG,
            e,
            "an after-{} action of unit '{}' failed; the other actions still run",
            committed ? "commit" : "rollback",
            unit.name());
        listeners.fire(l -> l.onHookFailed(unit.name(), e));
      }
    }
  }
}
