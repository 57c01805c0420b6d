package dev.txguard.queue.internal;

import dev.txguard.queue.JobEvent;
import dev.txguard.queue.JobState;
import java.util.List;

/**
 * The leader's periodic work: rescue jobs whose lease expired, promote scheduled and retryable jobs
 * that are due, delete finished jobs past the retention period. Runs on every process, acting only
 * while {@link ControlConnection#isLeader()}; each task works in batches of its own unit, so a large
 * backlog never makes one long transaction.
 */
final class Maintenance extends BackgroundLoop {
  private static final int BATCH = 1000;
  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final ControlConnection control;
  private final Events events;
  private final Waiters waiters;
  private final int level;

  Maintenance(QueueConfig config, Sql sql, Now now, ControlConnection control, Events events, Waiters waiters,
      int level) {
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
          wake.await(config.maintenanceInterval());
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

  /** One round of every task; public to the package for tests that drive time by hand. */
  void runOnce() {
    while (rescue() == BATCH && !stopped()) {
      // more expired leases than one batch: go on
    }
    while (promote() == BATCH && !stopped()) {
      // more due jobs than one batch: go on
    }
    while (deleteFinished() == BATCH && !stopped()) {
      // more old jobs than one batch: go on
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

  private int deleteFinished() {
    return config.db().inTx(config.txOptions().name("delete finished"), tx -> tx.update(sql.deleteFinished,
        now.param(), config.retention().toMillis(), BATCH));
  }
}
