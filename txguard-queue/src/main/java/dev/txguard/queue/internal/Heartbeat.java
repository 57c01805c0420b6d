package dev.txguard.queue.internal;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Extends the leases of this process's running attempts every third of the lease duration, in one
 * statement, at the queue's housekeeping level (see {@link QueueEngine}): never through a pool its
 * own attempts or the callers of {@code queue.call} waiting for them may have exhausted. An attempt
 * whose lease is gone (rescued after a stall longer than the lease, perhaps claimed again) is marked
 * and its thread interrupted: whatever it still does will not be recorded.
 */
final class Heartbeat extends BackgroundLoop {
  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final Running running;
  private final int level;

  Heartbeat(QueueConfig config, Sql sql, Now now, Running running, int level) {
    this.config = config;
    this.sql = sql;
    this.now = now;
    this.running = running;
    this.level = level;
  }

  void start() {
    start("txguard-queue-heartbeat", () -> Levels.run(config.db(), level, this));
  }

  @Override
  public void run() {
    long periodMs = Math.max(1, config.leaseDuration().toMillis() / 3);
    while (!stopped()) {
      try {
        wake.await(periodMs);
        if (!stopped()) {
          beat();
        }
      } catch (InterruptedException e) {
        return;
      } catch (Throwable e) {
        // the heartbeat must live on whatever happened: without it every lease of this process
        // expires and the jobs run a second time elsewhere
        Events.LOG.warn("heartbeat failed; leases expire unless a later heartbeat succeeds", e);
      }
    }
  }

  /** One round: extends the leases, marks attempts whose lease is gone or whose cancel was requested. */
  void beat() {
    List<Attempt> attempts = running.snapshot();
    if (attempts.isEmpty()) {
      return;
    }
    Long[] ids = attempts.stream().map(a -> a.id).toArray(Long[]::new);
    String[] tokens = attempts.stream().map(a -> a.token.toString()).toArray(String[]::new);
    Set<Long> lost = new HashSet<>();
    Set<Long> cancelRequested = new HashSet<>();
    config.db().useTx(config.txOptions().name("heartbeat"), tx -> {
      lost.clear(); // a unit retried after a deadlock starts over
      cancelRequested.clear();
      Set<Long> extended = new HashSet<>(tx.query(sql.heartbeat, rs -> rs.getLong(1), now.param(), ids, tokens,
          config.leaseDuration().toMillis()));
      tx.query(sql.heartbeatCheck, rs -> {
        long id = rs.getLong(1);
        if (!extended.contains(id) && rs.getBoolean(2)) {
          lost.add(id);
        }
        if (rs.getBoolean(3)) {
          cancelRequested.add(id);
        }
        return null;
      }, (Object) ids);
    });
    for (Attempt a : attempts) {
      if (cancelRequested.contains(a.id)) {
        a.cancelRequested = true;
      }
      if (lost.contains(a.id) && !a.leaseLost) {
        a.leaseLost = true;
        Events.LOG.warn("{} lost its lease (it expired and the job was rescued); interrupting it", a);
        Thread t = a.thread;
        if (t != null) {
          t.interrupt();
        }
      }
    }
  }
}
