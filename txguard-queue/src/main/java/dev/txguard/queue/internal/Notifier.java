package dev.txguard.queue.internal;

import dev.txguard.Tx;
import java.util.Collection;
import java.util.List;

/**
 * The queue's sender of notifications from inside its own units (notify.sql): PostgreSQL delivers
 * them only if and when the unit commits, so nobody is woken for work that rolled back. Used by
 * maintenance, give-ups, cancel and operators' retries; jobs enqueued by the users' units are
 * announced after commit by the {@link Announcer} instead. The control connection of every process
 * LISTENs for all three channels (see {@link ControlConnection}).
 */
final class Notifier {
  private final Sql sql;

  Notifier(Sql sql) {
    this.sql = sql;
  }

  /**
   * Wakes the fetcher of {@code queue} at {@code level}, in every process (this one included), at
   * commit: jobs of that run level became available there.
   */
  void jobsAvailable(Tx tx, String queue, int level) {
    tx.queryOne(
        sql.notify, rs -> rs.getString(1), sql.channel, new Wake(queue, level, null).payload());
  }

  /** {@link #jobsAvailable(Tx, String, int)} for each distinct queue and level. */
  void jobsAvailable(Tx tx, Collection<Wake> wakes) {
    wakes.stream().distinct().forEach(w -> jobsAvailable(tx, w.queue(), w.level()));
  }

  /**
   * Wakes the callers of {@code queue.call} waiting for job {@code id}, in every process, at
   * commit.
   */
  void jobEnded(Tx tx, long id) {
    tx.queryOne(sql.notify, rs -> rs.getString(1), sql.doneChannel, Long.toString(id));
  }

  /**
   * Tells every process, at commit, that the jobs {@code ids} were asked to stop while running (or
   * prefetched): the one running an attempt of such a job sees the request within milliseconds,
   * instead of at its next heartbeat, so a prefetched attempt ends cancelled without running its
   * handler unless a slot frees and starts it first. One statement for all of them; nothing is sent
   * for none.
   */
  void cancelRequested(Tx tx, List<Long> ids) {
    if (ids.isEmpty()) {
      return;
    }
    String[] payloads = ids.stream().map(String::valueOf).toArray(String[]::new);
    tx.queryOne(sql.notifyQueues, rs -> rs.getLong(1), sql.cancelChannel, payloads);
  }
}
