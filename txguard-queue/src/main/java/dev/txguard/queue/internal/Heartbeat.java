package dev.txguard.queue.internal;

import dev.txguard.Tx;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Extends the leases of this process's running attempts every third of the lease duration, in one
 * statement, at the queue's housekeeping level (see {@link Workers#start()}): never through a pool
 * its own attempts or the callers of {@code queue.call} waiting for them may have exhausted. An
 * attempt whose lease is gone (rescued after a stall longer than the lease, perhaps claimed again)
 * is marked and its thread interrupted: whatever it still does will not be recorded. An attempt
 * that has begun recording its failure is left alone: the lease it no longer holds may be the one
 * its own record gave back (see {@link Attempt#ending}). A job row another transaction holds locked
 * is skipped for that beat rather than waited for (heartbeat.sql), so one locked row never stops
 * every other lease of the process from being extended; whether a lease is lost is then read by
 * attempt token.
 */
final class Heartbeat extends BackgroundLoop {
  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final Running running;
  private final int level;
  private final LoopFailures failures;

  Heartbeat(QueueConfig config, Sql sql, Now now, Running running, int level) {
    this.config = config;
    this.sql = sql;
    this.now = now;
    this.running = running;
    this.level = level;
    // the heartbeat keeps its period whatever fails (leases depend on it): only the logging is
    // paced
    Duration period = Duration.ofMillis(periodMillis());
    this.failures = new LoopFailures("the heartbeat of queue schema " + sql.schema, period, period);
  }

  private long periodMillis() {
    return Math.max(1, config.leaseDuration().toMillis() / 3);
  }

  void start() {
    start("txguard-queue-heartbeat", () -> Levels.run(config.db(), level, this));
  }

  @Override
  public void run() {
    long periodMs = periodMillis();
    while (!stopped()) {
      try {
        wake.await(periodMs);
        if (!stopped()) {
          beat();
          failures.succeeded();
        }
      } catch (InterruptedException e) {
        return;
      } catch (Throwable e) {
        // the heartbeat must live on whatever happened: without it every lease of this process
        // expires and the jobs run a second time elsewhere
        failures.failed(e); // leases expire unless a later heartbeat succeeds
      }
    }
  }

  /**
   * One round: extends the leases, marks attempts whose lease is gone or whose cancel was
   * requested.
   */
  void beat() {
    List<Attempt> attempts = running.snapshot();
    if (attempts.isEmpty()) {
      return;
    }
    Long[] ids = attempts.stream().map(a -> a.id).toArray(Long[]::new);
    String[] tokens = attempts.stream().map(a -> a.token).toArray(String[]::new);
    Set<Long> lost = new HashSet<>();
    Set<Long> cancelRequested = new HashSet<>();
    config
        .db()
        .useTx(
            config.txOptions().name("heartbeat"),
            tx -> {
              lost.clear(); // a unit retried after a deadlock starts over
              cancelRequested.clear();
              beat(tx, ids, tokens, lost, cancelRequested);
            });
    attempts.forEach(a -> mark(a, lost.contains(a.id), cancelRequested.contains(a.id)));
  }

  /**
   * Extends the leases the attempts {@code ids} (with their {@code tokens}) still hold (but for
   * rows another transaction holds locked: heartbeat.sql), and adds to {@code lost} those whose
   * jobs are unfinished under another token, to {@code cancelRequested} those whose cancel was
   * requested.
   */
  private void beat(Tx tx, Long[] ids, String[] tokens, Set<Long> lost, Set<Long> cancelRequested) {
    LookupPlans.query( // heartbeat_check.sql below runs with its plan settings too
        tx,
        sql,
        sql.heartbeat,
        rs -> rs.getLong("id"),
        now.param(),
        ids,
        tokens,
        config.leaseDuration().toMillis());
    for (Rows.Checked c : tx.query(sql.heartbeatCheck, Rows.Checked::read, ids, tokens)) {
      if (c.lost()) {
        lost.add(c.id());
      }
      if (c.cancelRequested()) {
        cancelRequested.add(c.id());
      }
    }
  }

  private static void mark(Attempt a, boolean lost, boolean cancelRequested) {
    if (cancelRequested) {
      a.requestCancel();
    }
    // an attempt recording its failure may have cleared its own lease (Attempt.ending)
    if (lost && !a.leaseLost && !a.ending) {
      a.leaseLost = true;
      Events.LOG.warn("{} lost its lease (it expired and the job was rescued); interrupting it", a);
      Thread t = a.thread;
      if (t != null) {
        t.interrupt();
      }
    }
  }
}
