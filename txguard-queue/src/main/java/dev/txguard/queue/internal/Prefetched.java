package dev.txguard.queue.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * The attempts one {@link Fetcher} claimed that wait in this process for one of the queue's slots,
 * and the slots themselves (its concurrency: at most that many handlers run at once). A finished
 * handler's slot starts the next waiting attempt at once, from the thread that freed it; a cancel
 * request starts a waiting attempt at once, without a slot, so that it ends cancelled without
 * running its handler; {@link #drain()} takes those that never started when the queue stops. Each
 * attempt runs on a virtual thread of its own at the fetcher's level. How many attempts wait here
 * is the fetcher's business: at most its prefetch, and at most what the slots finish in about 10 ms
 * ({@link ClaimAhead}, fed by {@code slotReleased} with the slot times of the attempts that ran).
 * Thread-safe.
 */
final class Prefetched {
  private final QueueConfig config;

  /** The level of the fetcher: its attempts' units take connections of this level's pool. */
  private final int level;

  /** Runs one attempt to its end and releases what it holds (the fetcher's runAndRelease). */
  private final Consumer<Attempt> run;

  /** Told when a started attempt releases its slot; it frees the slot ({@link #releaseSlot}). */
  private final Consumer<Attempt> slotReleased;

  /** Free slots: handlers that may start now. */
  private final Semaphore slots;

  /**
   * The one lane in which cancelled prefetched attempts end (without a slot: their handlers do not
   * run), so that they take at most one connection of the level's pool at a time.
   */
  private final Semaphore cancelLane = new Semaphore(1);

  /** Claimed attempts waiting for a slot, oldest first; guarded by itself. */
  private final ArrayDeque<Attempt> ready = new ArrayDeque<>();

  /** Set by {@link #drain()}: no prefetched attempt starts any more. */
  private volatile boolean draining;

  /**
   * @param concurrency the queue's slots
   * @param run runs one attempt to its end on the thread it is given, releasing what it holds
   * @param slotReleased told when a started attempt releases its slot (once, on the attempt's
   *     thread, after {@code run} started it); it must call {@link #releaseSlot()}
   */
  Prefetched(
      QueueConfig config,
      int level,
      int concurrency,
      Consumer<Attempt> run,
      Consumer<Attempt> slotReleased) {
    this.config = config;
    this.level = level;
    this.slots = new Semaphore(concurrency);
    this.run = run;
    this.slotReleased = slotReleased;
  }

  /** Queues a claimed attempt for a slot; a cancel request starts it at once. */
  void add(Attempt a) {
    a.onCancel(() -> startCancelled(a));
    synchronized (ready) {
      ready.add(a);
    }
  }

  /** How many claimed attempts wait for a slot. */
  int count() {
    synchronized (ready) {
      return ready.size();
    }
  }

  /** How many slots are free now. */
  int freeSlots() {
    return slots.availablePermits();
  }

  /** Starts prefetched attempts while slots are free. */
  void startReady() {
    while (!draining) {
      Attempt a;
      synchronized (ready) {
        if (ready.isEmpty() || !slots.tryAcquire()) {
          return;
        }
        a = ready.poll();
      }
      a.onCancel(null);
      // a freed slot starts the next prefetched attempt itself (and the fetcher counts the
      // attempt as finishing, no longer against its room to claim)
      a.onSlotRelease(() -> slotReleased.accept(a));
      launch(a);
    }
  }

  /** A started attempt's slot is free: the next prefetched attempt starts here, if any. */
  void releaseSlot() {
    slots.release();
    startReady();
  }

  /**
   * Cancel was requested for a prefetched attempt: it starts now, without a slot (its handler does
   * not run: {@link AttemptRunner} ends it cancelled), unless it started meanwhile. Cancelled
   * attempts end one at a time ({@link #cancelLane}).
   */
  private void startCancelled(Attempt a) {
    synchronized (ready) {
      if (draining || !ready.remove(a)) {
        return;
      }
    }
    launch(a, () -> runCancelled(a));
  }

  /**
   * Ends a cancelled prefetched attempt once the cancel lane is free: a cancelGroup of many
   * prefetched jobs would otherwise record all their ends at once, each a unit of the level's pool,
   * and exhaust it (its own statements included).
   */
  private void runCancelled(Attempt a) {
    try {
      cancelLane.acquire();
    } catch (InterruptedException e) {
      // only a lost or given-up lease interrupts an attempt (leaseLost is set first): it is skipped
      run.accept(a);
      return;
    }
    try {
      run.accept(a);
    } finally {
      cancelLane.release();
    }
  }

  /** Runs a claimed attempt on a virtual thread of its own, at the queue's level. */
  private void launch(Attempt a) {
    launch(a, () -> run.accept(a));
  }

  private void launch(Attempt a, Runnable attempt) {
    Thread t =
        Thread.ofVirtual()
            .name("txguard-job-" + a.id)
            .unstarted(() -> Levels.run(config.db(), level, attempt));
    a.thread = t;
    t.start();
  }

  /**
   * Takes the prefetched attempts that never started (none starts any more, and a cancel request no
   * longer starts them) and forgets them; the caller hands their leases back.
   */
  List<Attempt> drain() {
    draining = true;
    List<Attempt> taken;
    synchronized (ready) {
      taken = new ArrayList<>(ready);
      ready.clear();
    }
    for (Attempt a : taken) {
      a.onCancel(null);
    }
    return taken;
  }
}
