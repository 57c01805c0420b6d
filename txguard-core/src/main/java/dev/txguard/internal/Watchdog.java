package dev.txguard.internal;

import dev.txguard.LeakReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the set of open units and watches them from one daemon thread: ends a unit at its deadline
 * (on a thread of its own, so a slow cancel never delays another unit's deadline: a platform daemon
 * thread, which virtual threads computing on every carrier cannot starve) and reports units open
 * past the leak threshold. Thread-safe.
 */
final class Watchdog implements AutoCloseable {
  private final String name;
  private final Duration leakThreshold;
  private final Listeners listeners;

  /**
   * The open units, in stripes chosen by the opening thread: every unit enters and leaves this
   * structure, from every thread, so one shared concurrent set would be contended (at 8 threads its
   * counters and identity hashes took about a fifth of a unit's CPU; see BENCHMARKS.md). A thread
   * mostly meets only its own stripe's lock, uncontended; a stripe holds the few units of the
   * threads that share it.
   */
  private final Stripe[] stripes = new Stripe[STRIPES];

  private static final int STRIPES = 64;

  /** The stripe of units opened by {@code thread}. */
  static int stripeOf(Thread thread) {
    return (int) (thread.threadId() & (STRIPES - 1));
  }

  /** One stripe: a small list guarded by its own monitor. */
  private static final class Stripe {
    private final ArrayList<Unit> units = new ArrayList<>(4);

    synchronized void add(Unit unit) {
      units.add(unit);
    }

    synchronized void remove(Unit unit) {
      for (int i = units.size() - 1; i >= 0; i--) {
        if (units.get(i) == unit) {
          units.remove(i);
          return;
        }
      }
    }

    synchronized List<Unit> snapshot() {
      return List.copyOf(units);
    }
  }

  private final ScheduledThreadPoolExecutor executor;

  Watchdog(String name, Duration leakThreshold, Listeners listeners) {
    this.name = name;
    this.leakThreshold = leakThreshold;
    this.listeners = listeners;
    this.executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, name + "-watchdog");
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Stripe();
    }
    long sweepMs = Math.max(10, Math.min(1000, leakThreshold.toMillis() / 2));
    executor.scheduleWithFixedDelay(this::sweep, sweepMs, sweepMs, TimeUnit.MILLISECONDS);
  }

  /**
   * Starts watching a unit that holds a connection: its deadline, if it has one, and its age.
   *
   * @throws RejectedExecutionException if the watchdog was closed meanwhile
   */
  void watch(Unit unit) {
    stripes[stripeOf(unit.owner)].add(unit);
    if (unit.hasDeadline) {
      long delay = unit.deadline - System.nanoTime();
      unit.deadlineTask =
          executor.schedule(
              () -> Thread.ofPlatform().daemon().name(name + "-expire").start(unit::expire),
              delay,
              TimeUnit.NANOSECONDS);
    }
  }

  /** Stops watching a unit that released its connection. */
  void unwatch(Unit unit) {
    stripes[stripeOf(unit.owner)].remove(unit);
    if (unit.deadlineTask != null) {
      unit.deadlineTask.cancel(false);
    }
  }

  /** The open units holding a connection of the level-{@code level} pool. */
  List<Unit> holders(int level) {
    return open().stream().filter(u -> u.level() == level && u.holdsConnection()).toList();
  }

  /** A snapshot of every open unit. */
  private List<Unit> open() {
    List<Unit> all = new ArrayList<>();
    for (Stripe s : stripes) {
      all.addAll(s.snapshot());
    }
    return all;
  }

  /** Reports a unit as a possible leak (logged and sent to the listener). */
  void reportLeak(Unit unit, boolean unreachable) {
    StackTraceElement[] stack = unit.openedAt != null ? unit.openedAt : unit.owner.getStackTrace();
    LeakReport report =
        new LeakReport(
            unit.name(), unit.age(), unit.owner.getName(), Arrays.asList(stack), unreachable);
    Engine.LOG.warn("txguard: possible leak: {}", report.describe());
    listeners.fire(l -> l.onLeak(report));
  }

  /**
   * Reports units open past the leak threshold; runs on the watchdog thread, so it never throws.
   */
  private void sweep() {
    long threshold = leakThreshold.toNanos();
    long now = System.nanoTime();
    for (Unit u : open()) {
      if (!u.leakReported && u.active() && now - u.startNanos > threshold) {
        u.leakReported = true;
        try {
          reportLeak(u, false);
        } catch (Throwable e) { // a throw here would cancel the periodic sweep for good
          SafeLog.warn(
              Engine.LOG, e, "reporting a leak of unit '{}' failed; sweeping goes on", u.name());
        }
      }
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
