package dev.txguard.internal;

import dev.txguard.CommitOutcomeUnknownException;
import dev.txguard.StatementException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Commit-outcome resolution: when a unit's connection is lost while its COMMIT is in flight, asks
 * the server on another connection whether the unit's transaction committed, so that the caller is
 * told the truth instead of "unknown".
 *
 * <p>Before COMMIT, a unit that may have written asks for its transaction id ({@code
 * pg_current_xact_id_if_assigned()}, PostgreSQL 13+; {@code txid_current_if_assigned()} on 10-12:
 * PostgreSQL docs, "System Information Functions", transaction ID and snapshot functions). That
 * costs one round trip; read-only units, units that sent nothing, and units with no id assigned
 * (they wrote nothing, so their outcome does not matter) pay nothing more. When the COMMIT fails
 * with a lost connection, {@link #settle} asks {@code pg_xact_status(xid)} (or {@code txid_status})
 * on a new connection straight from the source (never the pool, which the caller's threads may
 * hold): "committed" returns normally, "aborted" throws the lost connection as a failure before
 * COMMIT (retryable), "in progress" waits: the old backend may still be finishing or not yet have
 * noticed its client is gone, so after a short wait it is terminated ({@code pg_terminate_backend},
 * only while it still runs that transaction), which decides the outcome. Only when no answer can be
 * had within the bound (the unit's deadline, or the database's connection timeout when the unit has
 * none) is {@link CommitOutcomeUnknownException} thrown, naming what was tried. Servers older than
 * 10 and non-PostgreSQL connections keep the old behaviour: the exception at once. Thread-safe
 * (stateless but for its settings).
 */
final class CommitResolver {
  /** Marks "no id was asked for" (old server, no driver state): a lost COMMIT stays unknown. */
  static final long NOT_ASKED = Long.MIN_VALUE;

  /** Marks "the transaction has no id": it wrote nothing, so its outcome needs no answer. */
  static final long NONE = 0;

  /** How long an "in progress" transaction is given to finish before its backend is terminated. */
  private static final long GRACE_NANOS = 500_000_000L;

  private final ConnectionSource source;
  private final long boundNanos;

  CommitResolver(ConnectionSource source, long boundNanos) {
    this.source = source;
    this.boundNanos = boundNanos;
  }

  /**
   * The transaction id of a unit about to commit, as a 64-bit id with epoch; {@link #NONE} when it
   * has none or none is needed (read-only, nothing sent), {@link #NOT_ASKED} when the unit turned
   * resolution off or no answer could be had later anyway (old server, not pgjdbc).
   *
   * @throws SQLException as raised by the query: a lost connection here is a failure before COMMIT
   */
  static long xidBeforeCommit(
      Connection conn, boolean supported, boolean readOnly, boolean resolve, boolean begun)
      throws SQLException {
    if (readOnly || !begun) {
      return NONE;
    }
    int major =
        supported && resolve ? conn.getMetaData().getDatabaseMajorVersion() : 0; // no round trip
    if (major < 10) {
      return NOT_ASKED;
    }
    String sql =
        major >= 13
            ? "SELECT pg_current_xact_id_if_assigned()::text"
            : "SELECT txid_current_if_assigned()::text";
    try (PreparedStatement st = conn.prepareStatement(sql);
        ResultSet rs = st.executeQuery()) {
      rs.next();
      String xid = rs.getString(1);
      return xid == null ? NONE : Long.parseLong(xid);
    }
  }

  /**
   * Decides a COMMIT that failed with a lost connection: returns normally when the transaction
   * committed (or needs no answer), otherwise throws.
   *
   * @param xid from {@link #xidBeforeCommit}
   * @param backendPid the lost backend's process id
   * @param deadline the unit's deadline in {@link System#nanoTime()} terms, or 0 for none
   * @throws StatementException for COMMIT, holding the lost connection's error, when the
   *     transaction did not commit: the unit failed before COMMIT and may be retried
   * @throws CommitOutcomeUnknownException when no answer could be had, saying what was tried
   */
  void settle(String unit, long xid, int backendPid, long deadline, SQLException lost) {
    if (xid == NONE) {
      CommitResolutions.record(CommitResolutions.Outcome.NOT_NEEDED);
      return;
    }
    if (xid == NOT_ASKED) {
      CommitResolutions.record(CommitResolutions.Outcome.UNKNOWN);
      throw new CommitOutcomeUnknownException(
          unit
              + " lost its connection during COMMIT: it may or may not"
              + " have committed, and it was not resolved (TxOptions.resolveLostCommit(false), a server before"
              + " PostgreSQL 10, or not PostgreSQL), so it is not retried; check the database before acting",
          lost);
    }
    long end = System.nanoTime() + boundNanos;
    if (deadline != 0 && deadline - end < 0) {
      end = deadline;
    }
    Attempts attempts = new Attempts(xid, backendPid, System.nanoTime());
    decide(unit, xid, attempts.askUntil(end), attempts, lost);
  }

  /** Returns for "committed", throws for anything else. */
  private static void decide(
      String unit, long xid, String status, Attempts attempts, SQLException lost) {
    switch (status == null ? "" : status) {
      case "committed" -> {
        CommitResolutions.record(CommitResolutions.Outcome.COMMITTED);
        Engine.LOG.warn(
            "{} lost its connection during COMMIT; the server says transaction {} committed ({})",
            unit,
            xid,
            attempts.summary());
      }
      case "aborted" -> {
        CommitResolutions.record(CommitResolutions.Outcome.NOT_COMMITTED);
        throw new StatementException(
            "COMMIT",
            new SQLException(
                unit
                    + " lost its connection during COMMIT; the"
                    + " server says transaction "
                    + xid
                    + " did not commit ("
                    + attempts.summary()
                    + ")",
                lost.getSQLState(),
                lost));
      }
      default -> {
        CommitResolutions.record(CommitResolutions.Outcome.UNKNOWN);
        throw new CommitOutcomeUnknownException(
            unit
                + " lost its connection during COMMIT and whether"
                + " transaction "
                + xid
                + " committed could not be found out: "
                + attempts.summary()
                + ". It is not retried; check the database before acting",
            lost);
      }
    }
  }

  /** The questions asked about one transaction, and what they got, for messages. */
  private final class Attempts {
    private final long xid;
    private final int backendPid;
    private final long start;
    private final List<String> failures = new ArrayList<>();
    private int asked;
    private boolean terminated;
    private String last;

    Attempts(long xid, int backendPid, long start) {
      this.xid = xid;
      this.backendPid = backendPid;
      this.start = start;
    }

    /** Asks until the status is final or {@code end} passes (at least once); the status or null. */
    String askUntil(long end) {
      long pause = 10_000_000L;
      while (true) {
        last = askOnce();
        if ("committed".equals(last) || "aborted".equals(last)) {
          return last;
        }
        if ((last == null && failures.isEmpty()) || System.nanoTime() + pause - end >= 0) {
          return null; // no status for this id (it is too old), or out of time
        }
        LockSupport.parkNanos(pause);
        pause = Math.min(pause * 2, 1_000_000_000L);
      }
    }

    private String askOnce() {
      asked++;
      try (Connection c = source.open()) {
        String status = status(c);
        if ("in progress".equals(status)
            && !terminated
            && System.nanoTime() - start >= GRACE_NANOS) {
          terminated = terminate(c);
        }
        return status;
      } catch (SQLException | RuntimeException e) {
        String text =
            e.getClass().getSimpleName()
                + (e instanceof SQLException s ? " " + s.getSQLState() : "")
                + ": "
                + source.redact(String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        if (failures.size() < 3) {
          failures.add(text);
        }
        return "unreachable";
      }
    }

    private String status(Connection c) throws SQLException {
      boolean v13 = c.getMetaData().getDatabaseMajorVersion() >= 13;
      String sql = v13 ? "SELECT pg_xact_status(?::text::xid8)" : "SELECT txid_status(?)";
      try (PreparedStatement st = c.prepareStatement(sql)) {
        if (v13) {
          st.setString(1, Long.toString(xid));
        } else {
          st.setLong(1, xid);
        }
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          return rs.getString(1);
        }
      } finally {
        if (!c.getAutoCommit()) {
          c.rollback();
        }
      }
    }

    /** Ends the old backend if it still runs this transaction: its exit decides the outcome. */
    private boolean terminate(Connection c) throws SQLException {
      try (PreparedStatement st =
          c.prepareStatement(
              "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                  + " WHERE pid = ? AND backend_xid::text = ?")) {
        st.setInt(1, backendPid);
        st.setString(2, Long.toString(xid & 0xFFFF_FFFFL));
        st.executeQuery().close();
        return true;
      }
    }

    String summary() {
      long ms = (System.nanoTime() - start) / 1_000_000;
      StringBuilder s =
          new StringBuilder("asked pg_xact_status on a new connection ")
              .append(asked)
              .append(asked == 1 ? " time" : " times")
              .append(" over ")
              .append(ms)
              .append(" ms");
      s.append(", last answer: ").append(last == null ? "no status (the id is too old)" : last);
      if (terminated) {
        s.append(", terminated the old backend (pid ")
            .append(backendPid)
            .append(") still running it");
      }
      if (!failures.isEmpty()) {
        s.append(", connecting failed with: ").append(String.join("; ", failures));
      }
      return s.toString();
    }
  }
}
