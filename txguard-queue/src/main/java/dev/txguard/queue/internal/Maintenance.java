package dev.txguard.queue.internal;

import dev.txguard.queue.JobEvent;
import dev.txguard.queue.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The leader's periodic work: enqueue the due instants of periodic jobs ({@link Scheduler}), rescue
 * jobs whose lease expired, promote scheduled and retryable jobs that are due, delete finished jobs
 * (and the records of enqueued instants) past the retention period. Runs on every process, acting only
 * while {@link ControlConnection#isLeader()}; each task works in batches of its own unit, so a large
 * backlog never makes one long transaction.
 */
final class Maintenance extends BackgroundLoop {
  private static final int BATCH = 1000;
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

  Maintenance(QueueConfig config, Sql sql, Now now, ControlConnection control, Events events, Waiters waiters,
      int level, Scheduler scheduler) {
    this.scheduler = scheduler;
    this.config = config;
    this.sql = sql;
    this.now = now;
    this.control = control;
    this.events = events;
    this.waiters = waiters;
    this.level = level;
  }

  /** Starts the loop at the housekeeping level (see {@link QueueEngine}). */
  void start() {
    start("txguard-queue-maintenance", () -> Levels.run(config.db(), level, this));
  }

  @Override
  public void run() {
    try {
      while (!stopped()) {
        try {
          wake.await(nextWait());
          if (!stopped() && control.isLeader()) {
            runOnce();
          }
        } catch (InterruptedException e) {
          return;
        } catch (Throwable e) {
          // a failed round (database error, an Error from a listener or the JVM) must not end the
          // loop: the leader would keep its lock while nobody rescues, promotes or deletes
          Events.LOG.warn("queue maintenance failed; trying again in {}", config.maintenanceInterval(), e);
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
    return scheduler.nextDue().map(t -> Duration.between(Instant.now(), t))
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
    List<Object[]> rescued = config.db().inTx(config.txOptions().name("rescue"), tx -> {
      List<Object[]> rows = tx.query(sql.rescue,
          rs -> new Object[] {new JobEvent(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4)),
              JobState.fromSql(rs.getString(5)), rs.getBoolean(6)},
          now.param(), BATCH);
      // wake the workers of the queues that got jobs back, at commit
      rows.stream().filter(r -> r[1] == JobState.AVAILABLE).map(r -> ((JobEvent) r[0]).queue()).distinct()
          .forEach(q -> tx.queryOne("select pg_notify(?, ?)::text", rs -> rs.getString(1), sql.channel, q));
      // and the callers waiting for jobs that ended (failed or cancelled), in every process
      rows.stream().filter(r -> ((JobState) r[1]).isFinal() && (Boolean) r[2])
          .forEach(r -> tx.queryOne("select pg_notify(?, ?)::text", rs -> rs.getString(1), sql.doneChannel,
              Long.toString(((JobEvent) r[0]).id())));
      return rows;
    });
    for (Object[] r : rescued) {
      JobEvent job = (JobEvent) r[0];
      JobState state = (JobState) r[1];
      if (state.isFinal() && (Boolean) r[2]) {
        waiters.ended(job.id());
      }
      Events.LOG.warn("rescued job {} ({} on {}, attempt {}): its lease expired; now {}", job.id(), job.kind(),
          job.queue(), job.attempt(), state);
      events.fire(l -> l.onRescued(job, state));
    }
    return rescued.size();
  }

  private int promote() {
    return config.db().inTx(config.txOptions().name("promote"), tx -> tx.query(sql.promote,
        rs -> rs.getInt(2), now.param(), BATCH, sql.channel)).stream().mapToInt(Integer::intValue).sum();
  }

  private int deleteScheduleRuns() {
    if (config.schedules().isEmpty()) {
      return 0;
    }
    return config.db().inTx(config.txOptions().name("delete schedule runs"), tx -> tx.update(sql.deleteScheduleRuns,
        now.param(), config.retention().toMillis(), BATCH));
  }

  private int deleteFinished() {
    return config.db().inTx(config.txOptions().name("delete finished"), tx -> tx.update(sql.deleteFinished,
        now.param(), config.retention().toMillis(), BATCH));
  }
}
