package dev.txguard.internal;

import dev.txguard.CommitOutcomeUnknownException;
import dev.txguard.StatementException;
import dev.txguard.internal.dialect.SqlVerdict;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Commit-outcome resolution: when a unit's connection is lost while its COMMIT is in flight, asks
 * the server on another connection whether the unit's transaction committed, so that the caller is
 * told the truth instead of "unknown".
 *
 * <p>Before COMMIT, a unit that may have written (a statement that is not a read by its text,
 * {@link SqlVerdict#readsOnly()}) asks for its transaction id ({@code
 * pg_current_xact_id_if_assigned()}, PostgreSQL 13+; {@code txid_current_if_assigned()} on 10-12:
 * PostgreSQL docs, "System Information Functions", transaction ID and snapshot functions). That
 * costs one round trip; read-only units, units that sent nothing, and units with no id assigned
 * (they wrote nothing, so their outcome does not matter) pay nothing more, nor do units that were
 * told their id by a statement of their own ({@link TxImpl#transactionIdKnown}, txguard's queue:
 * its completion statement returns {@code pg_current_xact_id()}). When the COMMIT fails with a lost
 * connection, {@link #settle} asks {@code pg_xact_status(xid)} (or {@code txid_status}) on a new
 * connection straight from the source (never the pool, which the caller's threads may hold):
 * "committed" returns normally, "aborted" throws the lost connection as a failure before COMMIT
 * (retryable), "in progress" waits: the old backend may still be finishing or not yet have noticed
 * its client is gone, so after a short wait it is terminated ({@code pg_terminate_backend}, only
 * while it still runs that transaction), which decides the outcome. Only when no answer can be had
 * within the bound (the unit's deadline, or the database's connection timeout when the unit has
 * none) is {@link CommitOutcomeUnknownException} thrown, naming what was tried. Servers older than
 * 10 and non-PostgreSQL connections keep the old behaviour: the exception at once. Thread-safe
 * (stateless but for its settings).
 */
final class CommitResolver {
  /** Marks "no id was asked for" (old server, no driver state): a lost COMMIT stays unknown. */
  static final long NOT_ASKED = Long.MIN_VALUE;

  /** Marks "the transaction has no id": it wrote nothing, so its outcome needs no answer. */
  static final long NONE = 0;

  /**
   * Not asked: every statement of the unit read by its text ({@link SqlVerdict#readsOnly()}), so a
   * lost COMMIT is reported as unknown rather than priced with a round trip on every read unit.
   */
  static final long READS_ONLY = Long.MIN_VALUE + 1;

  private final ConnectionSource source;
  private final long boundNanos;

  /** See {@link #xidQuery}: null until the first unit that may have written commits. */
  private volatile String xidQuery;

  CommitResolver(ConnectionSource source, long boundNanos) {
    this.source = source;
    this.boundNanos = boundNanos;
  }

  /**
   * The transaction id of a unit about to commit, as a 64-bit id with epoch; {@link #NONE} when it
   * has none or none is needed (read-only, nothing sent), {@link #NOT_ASKED} when the unit turned
   * resolution off or no answer could be had later anyway (old server, not pgjdbc).
   *
   * @throws RuntimeException from {@link Unit#statementFailed}: a lost connection here is a failure
   *     before COMMIT
   */
  long xidBeforeCommit(Unit unit) {
    if (unit.options.readOnly() || !unit.transactionStarted()) {
      return NONE;
    }
    if (!unit.dialect.resolvesLostCommits() || !unit.options.resolveLostCommit()) {
      return NOT_ASKED;
    }
    if (unit.knownXid > 0) {
      return unit.knownXid; // a statement of the unit returned it: no round trip
    }
    if (!unit.mayHaveWritten) {
      return READS_ONLY; // spares read units the round trip, see SqlVerdict.readsOnly
    }
    try {
      String sql = xidQuery(unit.conn);
      return sql.isEmpty() ? NOT_ASKED : askXid(unit.conn, sql);
    } catch (SQLException e) {
      throw unit.statementFailed(e, "SELECT pg_current_xact_id_if_assigned()");
    }
  }

  /**
   * The query for a transaction's id on this database's server, chosen by its major version once
   * (reading the version from a connection's metadata costs no round trip, but HikariCP wraps the
   * metadata in a new proxy object on every call: a per-commit allocation); empty before PostgreSQL
   * 10, which has no way to ask. Every pool of a database connects to the same server. A server
   * replaced by an older major while the database runs would need the older function: 10-12's
   * {@code txid_current_if_assigned()} is still there in 13 and later, so only a downgrade across
   * 13 would make the query fail (as a failure before COMMIT, not a wrong answer).
   */
  private String xidQuery(Connection conn) throws SQLException {
    String sql = xidQuery;
    if (sql == null) {
      int major = conn.getMetaData().getDatabaseMajorVersion(); // no round trip
      sql =
          major < 10
              ? ""
              : major >= 13
                  ? "SELECT pg_current_xact_id_if_assigned()::text"
                  : "SELECT txid_current_if_assigned()::text";
      xidQuery = sql; // a race only reads the same version twice
    }
    return sql;
  }

  private static long askXid(Connection conn, String sql) throws SQLException {
    try (PreparedStatement st = conn.prepareStatement(sql);
        ResultSet rs = st.executeQuery()) {
      rs.next();
      String xid = rs.getString(1);
      return xid == null ? NONE : Long.parseLong(xid);
    }
  }

  /**
   * After a failed COMMIT of {@code unit}: returns normally only when the connection was lost on
   * the way and the server says the transaction committed (or it wrote nothing); throws otherwise,
   * see {@link #settle}. A COMMIT the server refused did not commit.
   *
   * @throws StatementException for COMMIT when the server refused it or it did not commit
   * @throws CommitOutcomeUnknownException when no answer could be had
   */
  void commitFailed(Unit unit, SQLException e, long xid, int backendPid) {
    if (!unit.dialect.connectionLost(e)) {
      throw new StatementException("COMMIT", e);
    }
    unit.connectionLost = true;
    settle(
        "unit '" + unit.name() + "' (attempt " + unit.attempt + ")",
        xid,
        backendPid,
        unit.hasDeadline ? unit.deadline : 0,
        e);
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
    if (xid == READS_ONLY || xid == NOT_ASKED) {
      CommitResolutions.record(CommitResolutions.Outcome.UNKNOWN);
      throw unasked(unit, xid, lost);
    }
    long end = System.nanoTime() + boundNanos;
    if (deadline != 0 && deadline - end < 0) {
      end = deadline;
    }
    LostCommitInquiry attempts = new LostCommitInquiry(source, xid, backendPid, System.nanoTime());
    decide(unit, xid, attempts.askUntil(end), attempts, lost);
  }

  /**
   * Why a lost COMMIT of a unit that did not ask for its transaction id ({@link #READS_ONLY} or
   * {@link #NOT_ASKED}) stays unknown.
   */
  private static CommitOutcomeUnknownException unasked(String unit, long xid, SQLException lost) {
    if (xid == READS_ONLY) {
      return new CommitOutcomeUnknownException(
          unit
              + " lost its connection during COMMIT: txguard saw only statements that read by their"
              + " text (SELECT, VALUES, TABLE, SHOW), so it did not ask for the transaction's id and"
              + " cannot tell whether it committed. If the unit wrote nothing (a function called by a"
              + " SELECT, a statement through an unwrapped connection or the COPY API can write"
              + " unseen), nothing was lost; otherwise check the database before acting. A unit that"
              + " only reads can say so with TxOptions.readOnly(true); its lost COMMIT then needs no"
              + " answer",
          lost);
    }
    return new CommitOutcomeUnknownException(
        unit
            + " lost its connection during COMMIT: it may or may not"
            + " have committed, and it was not resolved (TxOptions.resolveLostCommit(false), a server before"
            + " PostgreSQL 10, or not PostgreSQL), so it is not retried; check the database before acting",
        lost);
  }

  /** Returns for "committed", throws for anything else. */
  private static void decide(
      String unit, long xid, String status, LostCommitInquiry attempts, SQLException lost) {
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
        throw notCommitted(unit, xid, attempts, lost);
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

  /** A failure before COMMIT (retryable): the server says the transaction did not commit. */
  private static StatementException notCommitted(
      String unit, long xid, LostCommitInquiry attempts, SQLException lost) {
    return new StatementException(
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
}
