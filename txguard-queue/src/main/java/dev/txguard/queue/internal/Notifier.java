package dev.txguard.queue.internal;

import dev.txguard.Tx;
import java.util.Collection;

/**
 * The queue's one sender of notifications (notify.sql), always inside a unit: PostgreSQL delivers
 * them only if and when the unit commits, so nobody is woken for work that rolled back. The control
 * connection of every process LISTENs for both channels (see {@link ControlConnection}).
 */
final class Notifier {
  private final Sql sql;

  Notifier(Sql sql) {
    this.sql = sql;
  }

  /**
   * Wakes the workers of {@code queue}, in every process, at commit: jobs became available there.
   */
  void jobsAvailable(Tx tx, String queue) {
    tx.queryOne(sql.notify, rs -> rs.getString(1), sql.channel, queue);
  }

  /** {@link #jobsAvailable} for each distinct queue. */
  void jobsAvailable(Tx tx, Collection<String> queues) {
    queues.stream().distinct().forEach(q -> jobsAvailable(tx, q));
  }

  /**
   * Wakes the callers of {@code queue.call} waiting for job {@code id}, in every process, at
   * commit.
   */
  void jobEnded(Tx tx, long id) {
    tx.queryOne(sql.notify, rs -> rs.getString(1), sql.doneChannel, Long.toString(id));
  }
}
