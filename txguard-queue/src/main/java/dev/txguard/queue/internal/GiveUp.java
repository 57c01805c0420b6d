package dev.txguard.queue.internal;

import dev.txguard.queue.JobState;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;

/**
 * Graceful stop's last step for attempts still running when its wait ran out: hands each lease back
 * to the queue (another process may claim the job at once; the attempt does not count), or ends the
 * job cancelled when cancel had been requested (give_up.sql), then interrupts the attempt, whose
 * late completion or failure is refused by its lost token.
 */
final class GiveUp {
  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final Events events;
  private final Waiters waiters;
  private final Notifier notifier;

  GiveUp(QueueConfig config, Sql sql, Now now, Events events, Waiters waiters) {
    this.config = config;
    this.sql = sql;
    this.now = now;
    this.events = events;
    this.waiters = waiters;
    this.notifier = new Notifier(sql);
  }

  void all(List<Attempt> attempts) {
    for (Attempt a : attempts) {
      a.leaseLost = true;
      try {
        report(a, giveUp(a));
      } catch (RuntimeException e) {
        Events.LOG.warn(
            "cannot give the lease of {} back; it will be rescued when it expires", a, e);
      }
      Thread t = a.thread;
      if (t != null) {
        t.interrupt();
      }
    }
  }

  private Optional<Rows.GivenUp> giveUp(Attempt a) {
    return config
        .db()
        .inTx(
            config.txOptions().name("give up lease"),
            tx -> {
              Optional<Rows.GivenUp> row =
                  tx.queryOne(
                      sql.giveUp, Rows.GivenUp::read, now.param(), a.id, a.token.toString());
              row.ifPresent(
                  r -> {
                    if (r.state() == JobState.AVAILABLE) {
                      notifier.jobsAvailable(tx, r.queue(), r.runLevel());
                    } else if (r.awaited()) {
                      notifier.jobEnded(tx, a.id);
                    }
                  });
              return row;
            });
  }

  private void report(Attempt a, Optional<Rows.GivenUp> given) {
    if (given.isPresent() && given.get().state() == JobState.CANCELLED) {
      Events.LOG.info("{} ended cancelled at shutdown: cancel had been requested", a);
      waiters.ended(a.id);
      events.fire(
          l ->
              l.onFailed(
                  a.event(),
                  new CancellationException(
                      "cancel was requested and the attempt" + " was stopped at shutdown"),
                  JobState.CANCELLED));
    } else if (given.isPresent()) {
      Events.LOG.info("gave the lease of {} back at shutdown", a);
    }
  }
}
