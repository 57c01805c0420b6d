package dev.txguard.queue.internal;

import dev.txguard.CommitOutcomeUnknownException;
import dev.txguard.TxException;
import dev.txguard.TxOptions;
import dev.txguard.internal.SafeLog;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * Decides a claim whose COMMIT lost its connection, for one fetcher. The claim unit runs without
 * core's commit-outcome resolution (it would ask for the transaction id before every claim's
 * COMMIT, one round trip each), so core reports such a COMMIT as {@link
 * CommitOutcomeUnknownException}. The claimed rows are still at hand ({@link Rows}, filled from the
 * claim's unit): a claim that committed left each job running under a fresh attempt token that only
 * this process knows, one that did not left it available. So the jobs are handed back, matched on
 * their tokens, the way stop() hands back prefetched attempts ({@link GiveUp#lostClaim}): available
 * again with the attempt uncounted if the claim committed, untouched if it did not. First the
 * claim's backend is ended if it still runs the claim's transaction (claim_lost_end.sql): it never
 * got the COMMIT and keeps the rows locked until the server notices its client is gone, which after
 * a network failure may take long, and no claim could take the jobs meanwhile. Then the hand-back
 * waits until the claim's transaction has ended, committed or not, by locking its rows
 * (claim_lost_wait.sql): run while the claim is still in progress, give_up.sql would read the rows
 * as they were before it and change nothing, and a claim committing afterwards would strand its
 * jobs. If the wait or the hand-back fails (the database still unreachable), a job the claim (the
 * database still unreachable), a job the claim took stays leased to this process, unextended, until
 * its lease expires; maintenance (of any process) then rescues it, and that rescue counts an
 * attempt (a job with {@code maxAttempts(1)} then ends failed without having run). Thread-safe (no
 * state but its settings); runs on the fetcher's thread, at its level.
 */
final class LostClaims {
  /**
   * The longest each unit of a hand-back may take (shorter if the queue's options say so): the wait
   * for the claim's end waits for the claimed rows' locks if the claim's backend could not be
   * ended, and the fetcher claims nothing meanwhile. A failed wait ends the hand-back, and so does
   * the first give-up unit that fails ({@link GiveUp#lostClaim}), so the fetcher waits about twice
   * this at most; the jobs not handed back are rescued when their leases expire.
   */
  static final Duration HAND_BACK_TIMEOUT = Duration.ofSeconds(10);

  private final QueueConfig config;
  private final Sql sql;
  private final GiveUp giveUp;
  private final String queue;
  private final int level;
  private final TxOptions handBackOptions;
  private final TxOptions endBackendOptions;

  LostClaims(QueueConfig config, Sql sql, GiveUp giveUp, String queue, int level) {
    this.config = config;
    this.sql = sql;
    this.giveUp = giveUp;
    this.queue = queue;
    this.level = level;
    TxOptions options = config.txOptions();
    TxOptions bounded =
        options.timeout(
            options
                .timeout()
                .filter(t -> t.compareTo(HAND_BACK_TIMEOUT) < 0)
                .orElse(HAND_BACK_TIMEOUT));
    this.handBackOptions = bounded.name("hand back lost claim of " + queue);
    this.endBackendOptions = bounded.name("end lost claim's backend").readOnly(true);
  }

  /**
   * After the claim unit that filled {@code rows} threw {@code lost}: hands its jobs back (see the
   * class description) and returns the exception the fetcher's loop reports and backs off for:
   * {@code lost} itself when the claim took nothing (whatever its outcome, no job changed), else
   * one saying what was handed back, {@code lost} as its cause.
   */
  RuntimeException handBack(Rows rows, CommitOutcomeUnknownException lost) {
    List<Attempt> claimed = rows.attempts;
    if (claimed == null || claimed.isEmpty()) {
      return lost;
    }
    endBackend(rows);
    int failed =
        awaitClaimEnd(claimed) ? giveUp.lostClaim(claimed, handBackOptions) : claimed.size();
    return new TxException(
        "the claim of "
            + claimed.size()
            + (claimed.size() == 1 ? " job" : " jobs")
            + " of queue '"
            + queue
            + "' at level "
            + level
            + " lost its connection during COMMIT; "
            + (failed == 0
                ? "they were handed back by attempt token (available and uncounted if the claim had"
                    + " committed, unchanged if not)"
                : failed
                    + " of them could not be handed back: if the claim committed, they are rescued"
                    + " when their leases expire (in at most "
                    + config.leaseDuration()
                    + "), counting an attempt"),
        lost);
  }

  /**
   * Waits until the claim's transaction has ended, committed or not (claim_lost_wait.sql): a
   * hand-back while it is still in progress would read the rows from before the claim and change
   * nothing. False if that wait failed (the unit's timeout, the database unreachable): the jobs are
   * then not handed back.
   */
  private boolean awaitClaimEnd(List<Attempt> claimed) {
    Long[] ids = claimed.stream().map(a -> a.id).toArray(Long[]::new);
    try {
      config
          .db()
          .inTx(
              handBackOptions,
              tx -> tx.query(sql.claimLostWait, rs -> rs.getLong(1), (Object) ids));
      return true;
    } catch (RuntimeException e) {
      SafeLog.warn(
          Events.LOG,
          e,
          "cannot wait for the end of a claim of queue '{}' that lost its connection during COMMIT;"
              + " its {} jobs are not handed back: if the claim committed, they are rescued when"
              + " their leases expire (in at most {}), counting an attempt",
          queue,
          claimed.size(),
          config.leaseDuration());
      return false;
    }
  }

  /**
   * Ends the lost claim's backend if it still runs the claim's transaction. Best effort: if it
   * cannot, the hand-back waits for the rows' locks, up to its units' timeout.
   */
  private void endBackend(Rows rows) {
    try {
      String xid32 = Long.toString(Long.parseLong(rows.xact) & 0xFFFF_FFFFL);
      config
          .db()
          .inTx(
              endBackendOptions,
              tx -> tx.query(sql.claimLostEnd, rs -> rs.getString(1), rows.backendPid, xid32));
    } catch (RuntimeException e) {
      Events.LOG.warn(
          "cannot end backend {} of a claim of queue '{}' that lost its connection during COMMIT;"
              + " the hand-back waits for that backend's locks (up to {})",
          rows.backendPid,
          queue,
          handBackOptions.timeout().orElseThrow(),
          e);
    }
  }

  /**
   * What one claim returned, kept outside its unit: the claimed attempts, and the backend and
   * transaction that claimed them (read from the first row). Confined to the fetcher's thread.
   */
  static final class Rows {
    private final int level;
    List<Attempt> attempts;
    int backendPid;
    String xact;

    /**
     * The greatest claim-order key read, for the next claim's cursor; null after an infinite one.
     */
    ClaimCursor.Key last;

    /** The greatest key read of the best priority read, for a short claim's cursor; or null. */
    ClaimCursor.Key trail;

    private boolean infinite;

    Rows(int level) {
      this.level = level;
    }

    /** Forgets an earlier attempt of the claim unit (core retried it; it did not commit). */
    void reset() {
      attempts = null;
      xact = null;
      last = null;
      trail = null;
      infinite = false;
    }

    /** Maps one row of claim.sql, noting the claiming backend and transaction from the first. */
    Attempt read(ResultSet rs) throws SQLException {
      if (xact == null) {
        backendPid = rs.getInt("backend_pid");
        xact = rs.getString("xact");
      }
      long runAt = rs.getLong("run_at_us");
      if (rs.wasNull()) {
        infinite = true;
        last = null;
        trail = null;
      } else if (!infinite) {
        ClaimCursor.Key key = new ClaimCursor.Key(rs.getInt("priority"), runAt, rs.getLong("id"));
        last = key.max(last);
        trail = key.trail(trail);
      }
      return Attempt.claimed(rs, level);
    }
  }
}
