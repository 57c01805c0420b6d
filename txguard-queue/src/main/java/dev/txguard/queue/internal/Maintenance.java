package dev.txguard.queue.internal;

import dev.txguard.Tx;
import dev.txguard.queue.JobEvent;
import dev.txguard.queue.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The leader's periodic work: enqueue the due instants of periodic jobs ({@link Scheduler}), rescue
 * jobs whose lease expired, promote scheduled and retryable jobs that are due, delete finished jobs
 * (and the records of enqueued instants) past the retention period. Runs on every process, acting
 * only while {@link ControlConnection#isLeader()}; each task works in batches of its own unit, so a
 * large backlog never makes one long transaction.
 */
final class Maintenance extends BackgroundLoop {
  private static final int BATCH = 1000;

  /** The longest wait between rounds that keep failing, unless the interval is longer. */
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /**
   * The shortest wait before an instant: when the database's clock runs behind this machine's, an
   * instant due here is not yet due there, and the loop must not spin until it is.
   */
  private static final Duration MIN_WAIT = Duration.ofMillis(25);

  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final ControlConnection control;
  private final Events events;
  private final Waiters waiters;
  private final int level;
  private final Scheduler scheduler;
  private final Notifier notifier;
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
    this.sql = sql;
    this.now = now;
    this.control = control;
    this.events = events;
    this.waiters = waiters;
    this.level = level;
    this.notifier = new Notifier(sql);
    Duration interval = config.maintenanceInterval();
    this.failures =
        new LoopFailures(
            "maintenance of queue schema " + sql.schema,
            interval,
            interval.compareTo(MAX_BACKOFF) > 0 ? interval : MAX_BACKOFF);
  }

  /** Starts the loop at the housekeeping level (see {@link QueueEngine}). */
  void start() {
    start("txguard-queue-maintenance", () -> Levels.run(config.db(), level, this));
  }

  @Override
  public void run() {
    try {
      Duration wait = nextWait();
      while (!stopped()) {
        try {
          wake.await(wait);
          if (!stopped() && control.isLeader()) {
            runOnce();
            failures.succeeded();
          }
          wait = nextWait();
        } catch (InterruptedException e) {
          return;
        } catch (Throwable e) {
          // a failed round (database error, an Error from a listener or the JVM) must not end the
          // loop: the leader would keep its lock while nobody rescues, promotes or deletes
          wait = failures.failed(e);
        }
      }
    } finally {
      if (!stopped()) {
        // the loop ends although nobody stopped it: let another process lead
        control.resign();
      }
    }
  }

  /**
   * The maintenance interval, or less when a schedule's next instant comes sooner (by this
   * machine's clock; with an injected clock, always the interval).
   */
  private Duration nextWait() {
    Duration interval = config.maintenanceInterval();
    if (config.clock() != null) {
      return interval;
    }
    return scheduler
        .nextDue()
        .map(t -> Duration.between(Instant.now(), t))
        .filter(d -> d.compareTo(interval) < 0)
        .map(d -> d.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : d.plusMillis(1))
        .orElse(interval);
  }

  /** One round of every task; public to the package for tests that drive time by hand. */
  void runOnce() {
    scheduler.runOnce();
    while (rescue() == BATCH && !stopped()) {
      // more expired leases than one batch: go on
    }
    while (promote() == BATCH && !stopped()) {
      // more due jobs than one batch: go on
    }
    while (deleteFinished() == BATCH && !stopped()) {
      // more old jobs than one batch: go on
    }
    while (deleteScheduleRuns() == BATCH && !stopped()) {
      // more old instants than one batch: go on
    }
  }

  private int rescue() {
    List<Rows.Rescued> rescued =
        config.db().inTx(config.txOptions().name("rescue"), this::rescueBatch);
    for (Rows.Rescued r : rescued) {
      if (r.state().isFinal() && r.awaited()) {
        waiters.ended(r.job().id());
      }
      JobEvent job = r.job();
      Events.LOG.warn(
          "rescued job {} ({} on {}, attempt {}): its lease expired; now {}",
          job.id(),
          job.kind(),
          job.queue(),
          job.attempt(),
          r.state());
      events.fire(l -> l.onRescued(job, r.state()));
    }
    return rescued.size();
  }

  /**
   * Returns a batch of jobs whose lease expired to their queues (or ends them), waking at commit
   * the workers of the queues that got jobs back and, in every process, the callers waiting for
   * jobs that ended (failed or cancelled).
   */
  private List<Rows.Rescued> rescueBatch(Tx tx) {
    List<Rows.Rescued> rows = tx.query(sql.rescue, Rows.Rescued::read, now.param(), BATCH);
    notifier.jobsAvailable(
        tx,
        rows.stream()
            .filter(r -> r.state() == JobState.AVAILABLE)
            .map(r -> r.job().queue())
            .toList());
    rows.stream()
        .filter(r -> r.state().isFinal() && r.awaited())
        .forEach(r -> notifier.jobEnded(tx, r.job().id()));
    return rows;
  }

  private int promote() {
    return config
        .db()
        .inTx(
            config.txOptions().name("promote"),
            tx -> {
              List<Rows.Promoted> rows =
                  tx.query(sql.promote, Rows.Promoted::read, now.param(), BATCH);
              notifier.jobsAvailable(tx, rows.stream().map(Rows.Promoted::queue).toList());
              return rows.stream().mapToInt(Rows.Promoted::count).sum();
            });
  }

  private int deleteScheduleRuns() {
    if (config.schedules().isEmpty()) {
      return 0;
    }
    return config
        .db()
        .inTx(
            config.txOptions().name("delete schedule runs"),
            tx ->
                tx.update(
                    sql.deleteScheduleRuns, now.param(), config.retention().toMillis(), BATCH));
  }

  private int deleteFinished() {
    return config
        .db()
        .inTx(
            config.txOptions().name("delete finished"),
            tx -> tx.update(sql.deleteFinished, now.param(), config.retention().toMillis(), BATCH));
  }
}
