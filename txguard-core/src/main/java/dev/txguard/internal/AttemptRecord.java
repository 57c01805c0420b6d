package dev.txguard.internal;

import dev.txguard.CommitOutcomeUnknownException;
import dev.txguard.TransactionAbortedException;
import dev.txguard.TxOptions;
import dev.txguard.internal.dialect.Dialect;
import dev.txguard.internal.dialect.SqlVerdict;
import dev.txguard.internal.dialect.TransactionState;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * What one attempt of a unit has recorded besides its state: whether its transaction can still
 * commit (the first error that aborted it, a joined call's failure, a refused statement, a lost
 * connection, or its transaction found ended by a path txguard does not see), the SQL it admitted
 * (transaction control is refused, session changes are noted for the reset at release), and the
 * hooks it registered. For the transaction's health the driver's status, where the dialect can read
 * it without a round trip, is the truth; otherwise the record of failed statements is.
 *
 * <p>{@link Unit} extends this class instead of holding it so that an attempt allocates one object
 * for its state, not two: the unit's own cost is measured per byte (BENCHMARKS.md, unit cost); for
 * the same reason it stays one class though longer than the usual 300 lines. Confined to the unit's
 * thread.
 */
abstract class AttemptRecord {
  final TxOptions options;
  final int attempt;
  final Dialect dialect;

  /** The driver's connection, for its transaction status; null when the driver cannot tell it. */
  private final Connection driver;

  private SQLException firstError;
  private String firstErrorSql;

  /**
   * Why a joined call or a refusal made the unit roll back only; restored by savepoint rollbacks.
   */
  Throwable rollbackOnly;

  /** Whether this unit's own connection was lost (by SQLSTATE). */
  boolean connectionLost;

  /** An SQL error was seen on a connection whose transaction state the driver cannot tell. */
  private boolean failedWithoutDriverState;

  /**
   * A statement ran through txguard's paths, so the server has a transaction open for this unit.
   */
  private boolean begun;

  /**
   * The unit's connection was handed out ({@code tx.connection()}, the DataSource view) where the
   * driver's transaction status cannot be read: statements may have reached the server unseen
   * (through an unwrapped connection or statement), so the unit counts as started.
   */
  private boolean lentWithoutDriverState;

  /** A statement whose text may write was admitted ({@link SqlVerdict#readsOnly()}). */
  boolean mayHaveWritten;

  /**
   * The transaction's id as one of its own statements returned it ({@link
   * TxImpl#transactionIdKnown}), so that commit-outcome resolution need not ask; 0 while not known.
   */
  long knownXid;

  /** Set when the unit's transaction was found ended by something other than the unit. */
  CommitOutcomeUnknownException endedElsewhere;

  /** The last statement txguard refused before it reached the server, if any. */
  private SQLException refused;

  /** What the unit changed in its session; null while it changed nothing. */
  SessionState session;

  private HookLists hooks;

  final Connection conn;

  AttemptRecord(TxOptions options, int attempt, Dialect dialect, Connection conn) {
    this.options = options;
    this.attempt = attempt;
    this.dialect = dialect;
    this.conn = conn;
    this.driver = dialect.driverConnection(conn);
  }

  /**
   * Whether the connection was taken from the unit (discarded or timed out): its status no longer
   * counts.
   */
  abstract boolean connectionGone();

  /** Throws unless the unit is still open (statements may still be refused). */
  abstract void checkOpen();

  /** The unit's name. */
  final String name() {
    return options.name();
  }

  /**
   * Whether the transaction can do nothing but roll back. Reading it also forgets a recorded error
   * the transaction recovered from (ROLLBACK TO SAVEPOINT, seen in the driver's status).
   */
  final boolean aborted() {
    boolean aborted =
        rollbackOnly != null
            || connectionLost
            || endedElsewhere != null
            || (driver != null
                ? dialect.transactionState(driver) == TransactionState.FAILED
                : failedWithoutDriverState);
    if (!aborted && firstError != null) {
      firstError = null; // recovered, e.g. by ROLLBACK TO SAVEPOINT
      firstErrorSql = null;
    }
    return aborted;
  }

  /**
   * Called after a statement ran through txguard's paths: the server's transaction must still be
   * open.
   */
  final void afterStatement(String sql) {
    begun = true;
    checkTransactionOpen(sql);
  }

  /**
   * Fails the unit when the server's transaction status (as the driver last saw it, no round trip)
   * says its transaction ended although the unit did not end it: a COMMIT or ROLLBACK that reached
   * the server by a path txguard does not see (the driver's own connection, unwrapped).
   */
  final void checkTransactionOpen(String sql) {
    if (endedElsewhere != null
        || !begun
        || driver == null
        || connectionLost
        || connectionGone()
        || dialect.transactionState(driver) != TransactionState.IDLE) {
      return;
    }
    endedElsewhere = UnitMessages.endedElsewhere(name(), attempt, sql);
    throw endedElsewhere;
  }

  /**
   * Whether the server has a transaction open for this unit: by the driver's status where the
   * dialect can read it, else by whether a statement was sent or the connection was handed out
   * (what was sent through it unwrapped cannot be seen: a COMMIT lost then must not pass for "no
   * transaction, nothing to lose").
   */
  final boolean transactionStarted() {
    return driver != null
        ? dialect.transactionState(driver) != TransactionState.IDLE
        : begun || lentWithoutDriverState;
  }

  /**
   * Called when the unit's connection is handed out: without the driver's transaction status, the
   * unit counts as started from now on (see {@link #transactionStarted}).
   */
  final void connectionLent() {
    if (driver == null) {
      lentWithoutDriverState = true;
    }
  }

  /** Remembers the first error that aborted the unit, for later messages. */
  final void noteError(SQLException e, String sql) {
    begun |= e != refused; // a refused statement never reached the server
    if (dialect.connectionLost(e)) {
      connectionLost = true;
    }
    if (driver == null && dialect.errorAbortsTransaction()) {
      failedWithoutDriverState = true;
    }
    if (firstError == null && aborted()) {
      firstError = e;
      firstErrorSql = sql;
    }
  }

  /** Marks the unit as unable to commit because a joined inner call failed. */
  final void markRollbackOnly(Throwable cause) {
    if (!aborted()) {
      rollbackOnly = cause;
    }
  }

  /** After ROLLBACK TO SAVEPOINT: the unit is as healthy as it was at the savepoint. */
  final void recovered(Throwable rollbackOnlyAtSavepoint) {
    rollbackOnly = rollbackOnlyAtSavepoint;
    failedWithoutDriverState = false;
    aborted(); // clears the recorded error when the driver says the transaction is usable again
  }

  /** Whether this unit's own connection was lost (class 08, or the server ended the session). */
  final boolean lostConnection() {
    return connectionLost;
  }

  /** The error that aborted the unit, or null. */
  final Throwable abortCause() {
    return firstError != null ? firstError : rollbackOnly;
  }

  /** The exception for {@code what} (a refused statement, a commit) in an aborted unit. */
  final TransactionAbortedException abortedException(String what) {
    String reason;
    if (firstError != null) {
      reason =
          "an earlier error: "
              + UnitMessages.describe(firstError)
              + " in: "
              + UnitMessages.abbreviate(firstErrorSql);
    } else if (rollbackOnly != null) {
      reason = "a failure of a nested call that joined it: " + rollbackOnly;
    } else if (endedElsewhere != null) {
      return new TransactionAbortedException(
          what + ": " + endedElsewhere.getMessage(), endedElsewhere);
    } else if (connectionLost) {
      reason = "the loss of its connection";
    } else {
      reason = "an earlier error raised through tx.connection()";
    }
    return new TransactionAbortedException(
        what
            + ": unit '"
            + name()
            + "' (attempt "
            + attempt
            + ") was aborted by "
            + reason
            + "; nothing in it will commit. To continue after an expected error, run the failing"
            + " statement in tx.savepoint(...)",
        abortCause());
  }

  /**
   * Tells {@code failure} that the transaction had already ended elsewhere, if it had: it is no
   * rollback.
   */
  final void noteEndedElsewhere(Throwable failure) {
    if (endedElsewhere == null) {
      try {
        checkTransactionOpen(null);
      } catch (CommitOutcomeUnknownException e) {
        // recorded in endedElsewhere
      }
    }
    if (endedElsewhere != null
        && failure != null
        && failure != endedElsewhere
        && !Arrays.asList(failure.getSuppressed()).contains(endedElsewhere)) {
      failure.addSuppressed(endedElsewhere);
    }
  }

  // ---- the SQL it admitted
  // ------------------------------------------------------------------------

  /**
   * Admits {@code sql} to run in this unit: refuses transaction control sent as SQL (before it
   * reaches the server), and notes SQL that changes the session, whose connection is then reset at
   * release. The refusal aborts the unit, as a failed statement would.
   *
   * @throws SQLException with SQLSTATE 2D000 (invalid transaction termination) for transaction
   *     control
   */
  final void admit(String sql) throws SQLException {
    if (sql == null) {
      mayHaveWritten = true; // its text is unknown
      return;
    }
    SqlVerdict verdict = dialect.reader().verdict(sql);
    if (!verdict.readsOnly()) {
      mayHaveWritten = true;
    }
    if (verdict.clean()) {
      return;
    }
    if (verdict.session()) {
      session().serverChanged();
    }
    if (verdict.control() != null) {
      SQLException refusal =
          new SQLException(
              UnitMessages.refusal(verdict.control(), dialect.name(), name(), attempt), "2D000");
      refused = refusal;
      markRollbackOnly(refusal);
      throw refusal;
    }
  }

  /** The unit's session bookkeeping, created on the first change. */
  final SessionState session() {
    if (session == null) {
      session = new SessionState(conn, dialect);
    }
    return session;
  }

  // ---- the hooks it registered
  // --------------------------------------------------------------------

  final void addHook(boolean onCommit, Runnable action) {
    if (action == null) {
      throw new IllegalArgumentException("action must not be null");
    }
    checkOpen();
    if (hooks == null) {
      hooks = new HookLists();
    }
    hooks.add(onCommit, action);
  }

  /** How many hooks are registered (see {@link HookLists#mark()}). */
  final long hookMark() {
    return hooks == null ? 0 : hooks.mark();
  }

  final void dropHooksAfter(long mark) {
    if (hooks != null) {
      hooks.dropAfter(mark);
    }
  }

  /** The hooks to run for the unit's final outcome. */
  final List<Runnable> hooks(boolean committed) {
    return hooks == null ? List.of() : hooks.get(committed);
  }
}
