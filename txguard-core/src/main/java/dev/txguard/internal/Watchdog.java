package dev.txguard.internal;

import dev.txguard.LeakReport;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the set of open units and watches them from one daemon thread: ends a unit at its deadline
 * (on a virtual thread, so a slow cancel never delays another unit's deadline) and reports units
 * open past the leak threshold. Thread-safe.
 */
final class Watchdog implements AutoCloseable {
  private final String name;
  private final Duration leakThreshold;
  private final Listeners listeners;
  private final Set<Unit> open = ConcurrentHashMap.newKeySet();
  private final ScheduledThreadPoolExecutor executor;

  Watchdog(String name, Duration leakThreshold, Listeners listeners) {
    this.name = name;
    this.leakThreshold = leakThreshold;
    this.listeners = listeners;
    this.executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, name + "-watchdog");
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    long sweepMs = Math.max(10, Math.min(1000, leakThreshold.toMillis() / 2));
    executor.scheduleWithFixedDelay(this::sweep, sweepMs, sweepMs, TimeUnit.MILLISECONDS);
  }

  /**
   * Starts watching a unit that holds a connection: its deadline, if it has one, and its age.
   *
   * @throws RejectedExecutionException if the watchdog was closed meanwhile
   */
  void watch(Unit unit) {
    open.add(unit);
    if (unit.hasDeadline) {
      long delay = unit.deadline - System.nanoTime();
      unit.deadlineTask = executor.schedule(
          () -> Thread.ofVirtual().name(name + "-expire").start(unit::expire), delay, TimeUnit.NANOSECONDS);
    }
  }

  /** Stops watching a unit that released its connection. */
  void unwatch(Unit unit) {
    open.remove(unit);
    if (unit.deadlineTask != null) {
      unit.deadlineTask.cancel(false);
    }
  }

  /** The open units holding a connection of the level-{@code level} pool. */
  List<Unit> holders(int level) {
    return open.stream().filter(u -> u.level == level && u.holdsConnection()).toList();
  }

  /** Reports a unit as a possible leak (logged and sent to the listener). */
  void reportLeak(Unit unit, boolean unreachable) {
    StackTraceElement[] stack = unit.openedAt != null ? unit.openedAt : unit.owner.getStackTrace();
    LeakReport report = new LeakReport(unit.name(), unit.age(), unit.owner.getName(), Arrays.asList(stack),
        unreachable);
    Engine.LOG.warn("txguard: possible leak: {}", report.describe());
    listeners.fire(l -> l.onLeak(report));
  }

  /** Reports units open past the leak threshold; runs on the watchdog thread, so it never throws. */
  private void sweep() {
    long threshold = leakThreshold.toNanos();
    long now = System.nanoTime();
    for (Unit u : open) {
      if (!u.leakReported && u.active() && now - u.startNanos > threshold) {
        u.leakReported = true;
        try {
          reportLeak(u, false);
        } catch (Throwable e) { // a throw here would cancel the periodic sweep for good
          Engine.LOG.warn("reporting a leak of unit '{}' failed; sweeping goes on", u.name(), e);
        }
      }
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
