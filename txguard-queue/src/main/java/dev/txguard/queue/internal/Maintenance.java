package dev.txguard.queue.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * The leader's periodic work: enqueue the due instants of periodic jobs ({@link Scheduler}), rescue
 * jobs whose lease expired, promote scheduled and retryable jobs that are due, delete finished jobs
 * (and the records of enqueued instants) past the retention period. Runs on every process, acting
 * only while {@link ControlConnection#isLeader()}. A round's first batch of every task shares one
 * unit with a look-ahead (when the earliest scheduled or retryable job comes due, and the earliest
 * lease expires); a task with more than one batch goes on in units of its own, so a large backlog
 * never makes one long transaction. This class is the loop (its pacing, idle backoff and nudges);
 * the tasks' statements are in {@link Housekeeping}.
 *
 * <p>Rounds run every maintenance interval while they find work. While they find none the wait
 * doubles up to {@link #idleCap}, but never past the look-ahead's instant (nor a schedule's next
 * instant), so what the leader knows of is promoted or rescued as before; a job made scheduled or
 * retryable in this process nudges the loop ({@link #nudge}) so that the look-ahead covers it. Only
 * such jobs of other processes wait for the backed-off round: at most {@link #IDLE_BACKOFF}
 * intervals after their run-at. So an idle leader sends one unit every 8 s instead of three a
 * second (by default).
 */
final class Maintenance extends BackgroundLoop {
  private static final int BATCH = Housekeeping.BATCH;

  /** The longest wait between rounds that keep failing, unless the interval is longer. */
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /**
   * The shortest wait before an instant: when the database's clock runs behind this machine's, an
   * instant due here is not yet due there, and the loop must not spin until it is.
   */
  private static final Duration MIN_WAIT = Duration.ofMillis(25);

  /**
   * The longest wait of an idle leader, in maintenance intervals (8 s by default): while rounds
   * find nothing and nothing wakes the loop, the wait doubles from the interval up to this (see
   * {@link #idleCap}), shortened to when the earliest known run-at or lease expiry comes due.
   */
  static final int IDLE_BACKOFF = 8;

  private final QueueConfig config;
  private final ControlConnection control;
  private final int level;
  private final Scheduler scheduler;
  private final Housekeeping tasks;
  private final LoopFailures failures;

  Maintenance(
      QueueConfig config,
      Sql sql,
      Now now,
      ControlConnection control,
      Events events,
      Waiters waiters,
      int level,
      Scheduler scheduler) {
    this.scheduler = scheduler;
    this.config = config;
    this.control = control;
    this.level = level;
    this.tasks = new Housekeeping(config, sql, now, events, waiters);
    Duration interval = config.maintenanceInterval();
    this.failures =
        new LoopFailures(
            "maintenance of queue schema " + sql.schema,
            interval,
            interval.compareTo(MAX_BACKOFF) > 0 ? interval : MAX_BACKOFF);
  }

  /** Starts the loop at the housekeeping level (see {@link Workers#start()}). */
  void start() {
    start("txguard-queue-maintenance", () -> Levels.run(config.db(), level, this));
  }

  @Override
  public void run() {
    try {
      roundsUntilStopped();
    } finally {
      if (!stopped()) {
        // the loop ends although nobody stopped it: let another process lead
        control.resign();
      }
    }
  }

  /**
   * Runs a round whenever this process leads, woken or after its wait, until stopped or
   * interrupted.
   */
  private void roundsUntilStopped() {
    IdleBackoff rounds = new IdleBackoff(config.maintenanceInterval(), idleCap(config));
    Duration wait = nextWait(null, rounds);
    long lastRound = System.nanoTime();
    while (!stopped()) {
      try {
        boolean woken = wake.await(wait);
        if (woken) {
          paceAfterWake(lastRound);
        }
        Round round = null;
        if (!stopped() && control.isLeader()) {
          lastRound = System.nanoTime();
          round = runOnce();
          failures.succeeded();
        }
        if (round == null || woken || round.worked()) {
          // not leading (a new leader's first round must not wait long), woken, or busy
          rounds.reset();
        } else {
          rounds.idle();
        }
        wait = nextWait(round, rounds);
      } catch (InterruptedException e) {
        return;
      } catch (Throwable e) {
        // a failed round (database error, an Error from a listener or the JVM) must not end the
        // loop: the leader would keep its lock while nobody rescues, promotes or deletes
        wait = failures.failed(e);
      }
    }
  }

  /**
   * Wakes the loop for a round soon: jobs became scheduled or retryable in this process (so the
   * round learns their run-at), or the process just became leader. Rounds still start at most once
   * per maintenance interval.
   */
  void nudge() {
    wake.raise();
  }

  /** After a wake-up: waits until one interval has passed since the previous round started. */
  private void paceAfterWake(long lastRound) throws InterruptedException {
    long intervalNanos = config.maintenanceInterval().toNanos();
    for (long left = intervalNanos - (System.nanoTime() - lastRound);
        left > 0 && !stopped();
        left = intervalNanos - (System.nanoTime() - lastRound)) {
      wake.await(Duration.ofNanos(left));
    }
  }

  /**
   * The longest wait of an idle leader: {@link #IDLE_BACKOFF} maintenance intervals, but at most a
   * lease plus one interval. A round learns when the earliest known lease expires and sleeps no
   * longer than that; a job claimed after the round has a whole lease before it can expire, so with
   * this cap a lease is still rescued within a lease plus one interval of its last extension.
   */
  static Duration idleCap(QueueConfig config) {
    Duration interval = config.maintenanceInterval();
    Duration backedOff = interval.multipliedBy(IDLE_BACKOFF);
    Duration leaseBound = config.leaseDuration().plus(interval);
    return backedOff.compareTo(leaseBound) > 0 ? leaseBound : backedOff;
  }

  /**
   * The wait before the next round: the backed-off interval, shortened to when the last round's
   * earliest run-at or lease expiry comes due (never below one interval, so a job due but skipped,
   * e.g. locked by another unit, cannot make the loop spin), and to a schedule's next instant, both
   * by this machine's clock (with an injected clock, the backed-off interval alone).
   */
  private Duration nextWait(Round round, IdleBackoff rounds) {
    Duration wait = rounds.current();
    if (config.clock() != null) {
      return wait; // the look-ahead is in the injected clock's time, not in this machine's
    }
    if (round != null && round.dueInMs() != null) {
      long intervalMs = config.maintenanceInterval().toMillis();
      Duration due = Duration.ofMillis(Math.max(round.dueInMs() + 1, intervalMs));
      wait = due.compareTo(wait) < 0 ? due : wait;
    }
    Duration limit = wait;
    return scheduler
        .nextDue()
        .map(t -> Duration.between(Instant.now(), t))
        .filter(d -> d.compareTo(limit) < 0)
        .map(d -> d.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : d.plusMillis(1))
        .orElse(limit);
  }

  /**
   * What one round did: whether it found any work, and how long until the earliest known run-at or
   * lease expiry (null: none).
   */
  record Round(boolean worked, Long dueInMs) {}

  /**
   * One round of every task; public to the package for tests that drive time by hand. The first
   * batch of each task and the look-ahead ({@code next_due.sql}) share one unit, so a round that
   * finds nothing is one transaction; a task whose batch was full goes on in units of its own.
   */
  Round runOnce() {
    scheduler.runOnce();
    Housekeeping.First first = tasks.firstBatches();
    tasks.announceRescued(first.rescued());
    boolean more = first.rescued().size() == BATCH;
    while (more && !stopped()) {
      more = tasks.rescue() == BATCH; // more expired leases than one batch: go on
    }
    for (more = first.promoted() == BATCH; more && !stopped(); ) {
      more = tasks.promote() == BATCH; // more due jobs than one batch: go on
    }
    for (more = first.deleted() == BATCH; more && !stopped(); ) {
      more = tasks.deleteFinished() == BATCH; // more old jobs than one batch: go on
    }
    for (more = first.runsDeleted() == BATCH; more && !stopped(); ) {
      more = tasks.deleteScheduleRuns() == BATCH; // more old instants than one batch: go on
    }
    boolean worked =
        !first.rescued().isEmpty()
            || first.promoted() > 0
            || first.deleted() > 0
            || first.runsDeleted() > 0;
    return new Round(worked, first.dueInMs());
  }
}
