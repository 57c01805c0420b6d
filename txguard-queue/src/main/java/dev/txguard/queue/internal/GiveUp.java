package dev.txguard.queue.internal;

import dev.txguard.TxOptions;
import dev.txguard.queue.JobState;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;

/**
 * Hands leases back to the queue (another process may claim the job at once; the attempt does not
 * count), or ends the job cancelled when cancel had been requested (give_up.sql), each matched on
 * its attempt token. Graceful stop's last step for attempts still running when its wait ran out,
 * and for prefetched ones ({@link #all}): it then interrupts the attempt, whose late completion or
 * failure is refused by its lost token. Also a fetcher's way out of a claim whose COMMIT lost its
 * connection ({@link #lostClaim}). Thread-safe (no state but its settings).
 */
final class GiveUp {
  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final Events events;
  private final Waiters waiters;
  private final Notifier notifier;
  private final TxOptions options;

  GiveUp(QueueConfig config, Sql sql, Now now, Events events, Waiters waiters) {
    this.config = config;
    this.sql = sql;
    this.now = now;
    this.events = events;
    this.waiters = waiters;
    this.notifier = new Notifier(sql);
    this.options = config.txOptions().name("give up lease");
  }

  /** At shutdown: hands each attempt's lease back, then interrupts the attempt. */
  void all(List<Attempt> attempts) {
    for (Attempt a : attempts) {
      a.leaseLost = true;
      try {
        report(
            a,
            giveUp(
                a,
                options,
                "cancel was requested and the attempt was stopped when "
                    + config.owner()
                    + " shut down"),
            "was stopped at shutdown",
            "at shutdown");
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

  /**
   * A claim's COMMIT lost its connection and nobody knows whether it committed: hands each claimed
   * attempt (none of them started) back, in a unit of {@code options} each. If the claim committed,
   * the job is available again with its attempt uncounted (or ends cancelled if cancel was
   * requested meanwhile); if it did not, no row carries the attempt's token and nothing changes
   * (the job stayed available). Stops at the first unit that fails (logged here): the others would
   * most likely fail the same way (the database unreachable, or the claimed rows still locked),
   * each after as long a wait. Returns how many attempts were not handed back: if the claim
   * committed, those jobs stay leased to this process until the lease expires (nothing extends it),
   * and maintenance then rescues them, counting the attempt.
   */
  int lostClaim(List<Attempt> attempts, TxOptions options) {
    for (int i = 0; i < attempts.size(); i++) {
      Attempt a = attempts.get(i);
      try {
        report(
            a,
            giveUp(
                a,
                options,
                "cancel was requested and the attempt never started: its claim by "
                    + config.owner()
                    + " lost its connection during COMMIT"),
            "never started: its claim lost its connection during COMMIT",
            "after its claim lost its connection during COMMIT");
      } catch (RuntimeException e) {
        int left = attempts.size() - i;
        Events.LOG.warn(
            "cannot hand back {} (nor, not tried, the {} other jobs of the same claim), whose claim"
                + " lost its connection during COMMIT: if the claim committed, they stay leased to {}"
                + " until their leases expire (in at most {}), then maintenance rescues them,"
                + " counting the attempt",
            a,
            left - 1,
            config.owner(),
            config.leaseDuration(),
            e);
        return left;
      }
    }
    return 0;
  }

  private Optional<Rows.GivenUp> giveUp(Attempt a, TxOptions options, String why) {
    return config
        .db()
        .inTx(
            options,
            tx -> {
              Optional<Rows.GivenUp> row =
                  LookupPlans.query(
                          tx, sql, sql.giveUp, Rows.GivenUp::read, now.param(), a.id, a.token, why)
                      .stream()
                      .findFirst();
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

  private void report(Attempt a, Optional<Rows.GivenUp> given, String stopped, String when) {
    if (given.isPresent() && given.get().state() == JobState.CANCELLED) {
      Events.LOG.info("{} ended cancelled {}: cancel had been requested", a, when);
      waiters.ended(a.id);
      events.fire(
          l ->
              l.onFailed(
                  a.event(),
                  new CancellationException("cancel was requested and the attempt " + stopped),
                  JobState.CANCELLED));
    } else if (given.isPresent()) {
      Events.LOG.info("gave the lease of {} back {}", a, when);
    }
  }
}
