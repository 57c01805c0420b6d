package dev.txguard.queue.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * Claims jobs of one queue while this process has free slots for it, and starts each attempt on a
 * virtual thread. Sleeps until woken (a NOTIFY for its queue, a finished attempt) or its poll
 * passes: the poll interval, doubling while claims find nothing (see {@link #POLL_BACKOFF}). One
 * per queue and run level (jobs of {@code queue.call} from inside a unit run one level up): the
 * fetcher's claims, and its attempts' units, take connections of its level's pool, so callers
 * holding lower-level connections while they wait never starve it. Runs on its own virtual thread.
 */
final class Fetcher extends BackgroundLoop {
  /**
   * The longest wait between claims that keep failing (a NOTIFY still wakes the fetcher at once).
   */
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /**
   * The longest poll of an idle fetcher, in poll intervals: while its claims find nothing and
   * nothing wakes it, the poll doubles from the poll interval up to this many of them (16 s by
   * default), so an idle process claims rarely; a NOTIFY, a finished attempt or a claim that finds
   * jobs brings it back to the interval.
   */
  static final int POLL_BACKOFF = 16;

  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final String queue;

  /** The level this fetcher claims jobs of, and runs its claims and their attempts at. */
  private final int level;

  private final Semaphore slots;
  private final String[] kinds;
  private final Running running;
  private final AttemptRunner runner;
  private final LoopFailures failures;

  /** The wait between claims nobody woke: see {@link #waitForWork}. */
  private final IdleBackoff poll;

  Fetcher(
      QueueConfig config,
      Sql sql,
      Now now,
      String queue,
      int level,
      Running running,
      AttemptRunner runner) {
    this.config = config;
    this.sql = sql;
    this.now = now;
    this.queue = queue;
    this.level = level;
    this.slots = new Semaphore(config.queues().get(queue));
    this.kinds = config.kinds().runnableNames();
    this.running = running;
    this.runner = runner;
    this.failures =
        new LoopFailures(
            "claiming jobs of queue '" + queue + "' at level " + level,
            config.pollInterval(),
            MAX_BACKOFF);
    this.poll =
        new IdleBackoff(config.pollInterval(), config.pollInterval().multipliedBy(POLL_BACKOFF));
  }

  void start() {
    start("txguard-queue-fetch-" + queue + "@" + level, () -> Levels.run(config.db(), level, this));
  }

  @Override
  public void run() {
    while (!stopped()) {
      try {
        int limit = Math.min(slots.availablePermits(), config.fetchBatchSize());
        int claimed = limit > 0 ? claim(limit) : 0;
        failures.succeeded();
        if (claimed > 0) {
          poll.reset();
        }
        if (limit == 0 || claimed < limit) {
          // nothing more to take for now (or no free slot): wait for a NOTIFY, a finished
          // attempt or the poll, which backs off while claims find nothing
          waitForWork(limit > 0 && claimed == 0);
        }
      } catch (InterruptedException e) {
        return;
      } catch (Throwable e) {
        // whatever went wrong (a database error, an Error from a listener or the JVM), the fetcher
        // must live on: its queue's level would not be worked until the process restarts
        Duration wait = failures.failed(e);
        try {
          wake.await(wait);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /**
   * Waits for a wake-up or the poll. A wake-up resets the poll to the poll interval; a poll that
   * runs out after an empty claim doubles it (up to {@link #POLL_BACKOFF} times the interval).
   */
  private void waitForWork(boolean foundNothing) throws InterruptedException {
    if (wake.await(poll.current())) {
      poll.reset();
    } else if (foundNothing) {
      poll.idle();
    }
  }

  private int claim(int limit) throws InterruptedException {
    slots.acquire(limit);
    List<Attempt> attempts;
    try {
      attempts =
          config
              .db()
              .inTx(
                  config.txOptions().name("claim " + queue),
                  tx ->
                      tx.query(
                          sql.claim,
                          rs -> Attempt.claimed(rs, level),
                          now.param(),
                          queue,
                          kinds,
                          level,
                          limit,
                          config.owner(),
                          config.leaseDuration().toMillis()));
    } catch (RuntimeException | Error e) {
      slots.release(limit);
      throw e;
    }
    slots.release(limit - attempts.size());
    attempts.forEach(this::launch);
    return attempts.size();
  }

  /** Runs a claimed attempt on a virtual thread of its own, at the queue's level. */
  private void launch(Attempt a) {
    running.add(a);
    Thread t =
        Thread.ofVirtual()
            .name("txguard-job-" + a.id)
            .unstarted(() -> Levels.run(config.db(), level, () -> runAndRelease(a)));
    a.thread = t;
    t.start();
  }

  private void runAndRelease(Attempt a) {
    try {
      runner.run(a);
    } finally {
      running.remove(a);
      slots.release();
      wake.raise();
    }
  }

  @Override
  public String toString() {
    return "Fetcher[" + queue + "@" + level + ", free slots " + slots.availablePermits() + "]";
  }
}
