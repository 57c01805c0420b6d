package dev.txguard.queue.internal;

import dev.txguard.Tx;
import dev.txguard.queue.JobEvent;
import dev.txguard.queue.JobState;
import java.util.List;

/**
 * The tasks of a {@link Maintenance} round, one batch of at most {@link #BATCH} rows each: rescue
 * jobs whose lease expired, promote scheduled and retryable jobs that are due, delete finished jobs
 * and the records of enqueued instants past the retention period. A round's first batch of every
 * task shares one unit with the look-ahead ({@link #firstBatches}); every further batch is a unit
 * of its own, so a large backlog never makes one long transaction. Thread-safe (no state of its own
 * but the configuration).
 */
final class Housekeeping {
  /** The most rows one batch of a task handles; a batch this full means there may be more. */
  static final int BATCH = 1000;

  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final Events events;
  private final Waiters waiters;
  private final Notifier notifier;

  Housekeeping(QueueConfig config, Sql sql, Now now, Events events, Waiters waiters) {
    this.config = config;
    this.sql = sql;
    this.now = now;
    this.events = events;
    this.waiters = waiters;
    this.notifier = new Notifier(sql);
  }

  /** The first batch of every task and the look-ahead, in the round's first unit. */
  record First(
      List<Rows.Rescued> rescued, int promoted, int deleted, int runsDeleted, Long dueInMs) {}

  /**
   * Runs the first batch of every task and the look-ahead ({@code next_due.sql}: how long until the
   * earliest scheduled or retryable job comes due, or the earliest lease expires) in one unit.
   */
  First firstBatches() {
    return config.db().inTx(config.txOptions().name("maintenance"), tx -> firstBatches(tx));
  }

  private First firstBatches(Tx tx) {
    List<Rows.Rescued> rescued = rescueBatch(tx);
    int promoted = promoteBatch(tx);
    int deleted = deleteFinishedBatch(tx);
    int runsDeleted = deleteScheduleRunsBatch(tx);
    Long dueInMs =
        tx.queryOne(
                sql.nextDue,
                rs -> {
                  long ms = rs.getLong("due_in_ms");
                  return rs.wasNull() ? null : ms;
                },
                now.param())
            .orElse(null);
    return new First(rescued, promoted, deleted, runsDeleted, dueInMs);
  }

  /** Rescues one more batch in a unit of its own, then announces it; returns how many. */
  int rescue() {
    List<Rows.Rescued> rescued =
        config.db().inTx(config.txOptions().name("rescue"), tx -> rescueBatch(tx));
    announceRescued(rescued);
    return rescued.size();
  }

  /**
   * Rescues one batch of expired leases in {@code tx}, and wakes (at commit, in every process) the
   * workers of the queues that got jobs back and the callers waiting for jobs that ended (failed or
   * cancelled).
   */
  private List<Rows.Rescued> rescueBatch(Tx tx) {
    List<Rows.Rescued> rows = tx.query(sql.rescue, Rows.Rescued::read, now.param(), BATCH);
    notifier.jobsAvailable(
        tx,
        rows.stream()
            .filter(r -> r.state() == JobState.AVAILABLE)
            .map(Rows.Rescued::wake)
            .toList());
    rows.stream()
        .filter(r -> r.state().isFinal() && r.awaited())
        .forEach(r -> notifier.jobEnded(tx, r.job().id()));
    return rows;
  }

  /** After the rescue's unit committed: wakes local callers, logs and tells the listener. */
  void announceRescued(List<Rows.Rescued> rescued) {
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
  }

  /** Promotes one more batch in a unit of its own; returns how many jobs. */
  int promote() {
    return config.db().inTx(config.txOptions().name("promote"), tx -> promoteBatch(tx));
  }

  /** Promotes one batch of due jobs in {@code tx}, waking their queues' workers at commit. */
  private int promoteBatch(Tx tx) {
    List<Rows.Promoted> rows = tx.query(sql.promote, Rows.Promoted::read, now.param(), BATCH);
    notifier.jobsAvailable(tx, rows.stream().map(Rows.Promoted::wake).toList());
    return rows.stream().mapToInt(Rows.Promoted::count).sum();
  }

  /** Deletes one more batch of old records of enqueued instants in a unit of its own. */
  int deleteScheduleRuns() {
    return config
        .db()
        .inTx(config.txOptions().name("delete schedule runs"), tx -> deleteScheduleRunsBatch(tx));
  }

  private int deleteScheduleRunsBatch(Tx tx) {
    if (config.schedules().isEmpty()) {
      return 0;
    }
    return tx.update(sql.deleteScheduleRuns, now.param(), config.retention().toMillis(), BATCH);
  }

  /** Deletes one more batch of finished jobs past the retention period in a unit of its own. */
  int deleteFinished() {
    return config
        .db()
        .inTx(config.txOptions().name("delete finished"), tx -> deleteFinishedBatch(tx));
  }

  private int deleteFinishedBatch(Tx tx) {
    return tx.update(sql.deleteFinished, now.param(), config.retention().toMillis(), BATCH);
  }
}
