package dev.txguard.queue.internal;

import java.util.List;

/**
 * Extends the leases of this process's running attempts every third of the lease duration, in one
 * statement. An attempt whose lease is gone (rescued after a stall longer than the lease, perhaps
 * claimed again) is marked and its thread interrupted: whatever it still does will not be recorded.
 */
final class Heartbeat extends BackgroundLoop {
  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final Running running;

  Heartbeat(QueueConfig config, Sql sql, Now now, Running running) {
    this.config = config;
    this.sql = sql;
    this.now = now;
    this.running = running;
  }

  void start() {
    start("txguard-queue-heartbeat", this);
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

  private void beat() {
    // per level: a level's attempts are extended through that level's pool, which callers of
    // queue.call waiting at lower levels cannot hold
    running.snapshot().stream().collect(java.util.stream.Collectors.groupingBy(a -> a.level))
        .forEach((level, attempts) -> Levels.run(config.db(), level, () -> beat(attempts)));
  }

  private void beat(List<Attempt> attempts) {
    Long[] ids = attempts.stream().map(a -> a.id).toArray(Long[]::new);
    String[] tokens = attempts.stream().map(a -> a.token.toString()).toArray(String[]::new);
    List<List<Long>> lostAndCancelled = config.db().inTx(config.txOptions().name("heartbeat"), tx -> List.of(
        tx.query(sql.heartbeat, rs -> rs.getLong(1), now.param(), ids, tokens, config.leaseDuration().toMillis()),
        tx.query("select id from " + sql.schema + ".job where id = any (?::bigint[]) and cancel_requested",
            rs -> rs.getLong(1), (Object) ids)));
    List<Long> lost = lostAndCancelled.get(0);
    for (Attempt a : attempts) {
      if (lostAndCancelled.get(1).contains(a.id)) {
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
