package dev.txguard.internal;

import dev.txguard.CommitOutcomeUnknownException;
import dev.txguard.StatementException;
import dev.txguard.TransactionAbortedException;
import dev.txguard.TxOptions;
import dev.txguard.TxTimeoutException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import dev.txguard.internal.dialect.Dialect;
import dev.txguard.internal.dialect.SqlVerdict;
import dev.txguard.internal.dialect.TransactionState;

/**
 * One attempt of a unit on one pooled connection: its state machine, its abort bookkeeping and the
 * ways it ends.
 *
 * <p>State moves ACTIVE → ENDING → COMMITTED or ROLLED_BACK on the owner's thread, or ACTIVE →
 * TIMED_OUT on the watchdog's thread when the deadline passes. Whoever leaves ACTIVE first owns the
 * connection's end: the watchdog never touches a unit that is committing, and the owner never
 * touches a connection the watchdog discarded. This object must never reference a {@code TxHandle},
 * or a dropped manual handle could not become unreachable.
 */
public final class Unit {
  enum State { ACTIVE, ENDING, COMMITTED, ROLLED_BACK, TIMED_OUT }

  final Engine engine;
  final Pool pool;
  final TxOptions options;
  final int attempt;
  final int level;
  final long startNanos;
  /** The unit's deadline in {@link System#nanoTime()} terms; meaningful only if hasDeadline. */
  final long deadline;
  final boolean hasDeadline;
  /** The unit's first start, for timeout messages spanning attempts. */
  final long firstStartNanos;
  final Connection conn;
  final Thread owner;
  /** The stack that called begin, for manual handles; null for callback units. */
  final StackTraceElement[] openedAt;
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Unit.class, "state", State.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Dialect dialect;
  /** The driver's connection, for its transaction status; null when the driver cannot tell it. */
  private final Connection driver;
  /** Read and written through {@link #STATE}'s volatile and compare-and-set access only. */
  private volatile State state = State.ACTIVE;

  private List<Runnable> afterCommit;
  private List<Runnable> afterRollback;
  private SQLException firstError;
  private String firstErrorSql;
  private Throwable rollbackOnly;
  private boolean connectionLost;
  private volatile boolean discarded;
  private volatile boolean released;
  /** An SQL error was seen on a connection whose transaction state the driver cannot tell. */
  private boolean failedWithoutDriverState;
  /** A statement ran through txguard's paths, so the server has a transaction open for this unit. */
  private boolean begun;
  /** Set when the unit's transaction was found ended by something other than the unit. */
  private CommitOutcomeUnknownException endedElsewhere;
  /** What puts back the session after the prelude's limits (no SET LOCAL), or null. */
  private String epilogue;
  /** The last statement txguard refused before it reached the server, if any. */
  private SQLException refused;
  /** What the unit changed in its session; null while it changed nothing. */
  private SessionState session;
  volatile boolean leakReported;
  /** The watchdog stripe this unit is kept in while open (see {@link Watchdog}). */
  final int stripe;
  ScheduledFuture<?> deadlineTask;

  Unit(Engine engine, Pool pool, TxOptions options, int attempt, long firstStartNanos, Connection conn,
      StackTraceElement[] openedAt) {
    this.engine = engine;
    this.pool = pool;
    this.options = options;
    this.attempt = attempt;
    this.level = pool.level;
    this.startNanos = System.nanoTime();
    this.firstStartNanos = firstStartNanos;
    this.hasDeadline = options.timeout().isPresent();
    this.deadline = hasDeadline ? firstStartNanos + options.timeout().get().toNanos() : 0;
    this.conn = conn;
    this.owner = Thread.currentThread();
    this.stripe = Watchdog.stripeOf(owner);
    this.openedAt = openedAt;
    this.dialect = pool.dialect;
    this.driver = dialect.driverConnection(conn);
  }

  private boolean casState(State expected, State next) {
    return STATE.compareAndSet(this, expected, next);
  }

  /** The unit's name. */
  String name() {
    return options.name();
  }

  boolean active() {
    return state == State.ACTIVE;
  }

  Duration age() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  /**
   * Sends the attempt's prelude (isolation, read-only, time limits) as the transaction's first
   * statement. The driver prefixes BEGIN, so a unit with non-default options costs no extra round
   * trip over one with defaults, and one with defaults sends nothing here.
   */
  void start() {
    long timeoutMs = hasDeadline ? Math.max(1, (deadline - System.nanoTime() + 999_999) / 1_000_000) : 0;
    String prelude = dialect.unitPrelude(options.isolation(), options.readOnly(), timeoutMs);
    if (prelude == null) {
      return;
    }
    epilogue = dialect.unitEpilogue(options.isolation(), options.readOnly(), timeoutMs);
    try (Statement st = conn.createStatement()) {
      st.execute(prelude);
    } catch (SQLException e) {
      throw statementFailed(e, prelude);
    }
  }

  // ---- hooks ----------------------------------------------------------------------------------

  void addHook(boolean onCommit, Runnable action) {
    if (action == null) {
      throw new IllegalArgumentException("action must not be null");
    }
    checkOpen();
    if (onCommit) {
      afterCommit = afterCommit == null ? new ArrayList<>() : afterCommit;
      afterCommit.add(action);
    } else {
      afterRollback = afterRollback == null ? new ArrayList<>() : afterRollback;
      afterRollback.add(action);
    }
  }

  /** How many hooks are registered, as {commit, rollback}, to drop later ones at a savepoint rollback. */
  long hookMark() {
    return ((long) size(afterCommit) << 32) | size(afterRollback);
  }

  void dropHooksAfter(long mark) {
    truncate(afterCommit, (int) (mark >>> 32));
    truncate(afterRollback, (int) mark);
  }

  /** The hooks to run for the unit's final outcome. */
  List<Runnable> hooks(boolean committed) {
    List<Runnable> hooks = committed ? afterCommit : afterRollback;
    return hooks == null ? List.of() : hooks;
  }

  private static int size(List<Runnable> list) {
    return list == null ? 0 : list.size();
  }

  private static void truncate(List<Runnable> list, int size) {
    if (list != null && list.size() > size) {
      list.subList(size, list.size()).clear();
    }
  }

  // ---- savepoints -------------------------------------------------------------------------------

  /** Remembers what a savepoint rollback must restore besides the database state. */
  record SavepointMark(java.sql.Savepoint savepoint, long hooks, Throwable rollbackOnly) {}

  SavepointMark setSavepoint() {
    checkUsable();
    try {
      return new SavepointMark(conn.setSavepoint(), hookMark(), rollbackOnly);
    } catch (SQLException e) {
      throw statementFailed(e, "SAVEPOINT");
    }
  }

  void releaseSavepoint(SavepointMark mark) {
    try {
      conn.releaseSavepoint(mark.savepoint());
    } catch (SQLException e) {
      throw statementFailed(e, "RELEASE SAVEPOINT");
    }
  }

  /** Undoes everything since {@code mark}; a failure to do so is added to {@code failure}. */
  void rollbackTo(SavepointMark mark, Throwable failure) {
    dropHooksAfter(mark.hooks());
    if (!active() || connectionLost) {
      return;
    }
    try {
      conn.rollback(mark.savepoint());
      rollbackOnly = mark.rollbackOnly();
      failedWithoutDriverState = false;
      aborted(); // clears the recorded error when the driver says the transaction is usable again
    } catch (SQLException e) {
      noteError(e, "ROLLBACK TO SAVEPOINT");
      failure.addSuppressed(e);
    }
  }

  // ---- checks before statements ----------------------------------------------------------------

  /** Throws unless a statement may run now: the unit is active, in time and not aborted. */
  void checkUsable() {
    State s = state;
    if (s != State.ACTIVE) {
      throw s == State.TIMED_OUT ? timeout(null) : ended(s);
    }
    if (hasDeadline && System.nanoTime() - deadline >= 0) {
      expire();
      throw timeout(null);
    }
    checkTransactionOpen(null);
    if (aborted()) {
      throw abortedException("statement refused");
    }
  }

  // ---- what SQL may do to the unit ---------------------------------------------------------------

  /**
   * Admits {@code sql} to run in this unit: refuses transaction control sent as SQL (before it
   * reaches the server), and notes SQL that changes the session, whose connection is then reset at
   * release. The refusal aborts the unit, as a failed statement would.
   *
   * @throws SQLException with SQLSTATE 2D000 (invalid transaction termination) for transaction control
   */
  void admit(String sql) throws SQLException {
    if (sql == null) {
      return;
    }
    SqlVerdict verdict = dialect.reader().verdict(sql);
    if (verdict.clean()) {
      return;
    }
    if (verdict.session()) {
      session().serverChanged();
    }
    if (verdict.control() != null) {
      SQLException refusal = new SQLException(refusal(verdict.control()), "2D000");
      refused = refusal;
      markRollbackOnly(refusal);
      throw refusal;
    }
  }

  private String refusal(String control) {
    String instead = control.endsWith("implicitly,") ? "on " + dialect.name() + " it would first commit"
        + " the unit's work so far, outside the unit's control; run it outside a unit (before or after)" : control.startsWith("SET ") ? "a unit runs with its own options: give it"
        + " TxOptions.isolation(...) or TxOptions.readOnly(...) instead" : switch (control) {
      case "BEGIN", "START" -> "its transaction is already open; nested work joins it through db.inTx(...),"
          + " and work that must commit on its own runs in db.inNewTx(...)";
      case "SAVEPOINT", "RELEASE" -> "use tx.savepoint(...) for work that may fail and be undone alone";
      case "PREPARE TRANSACTION" -> "two-phase commit cannot run inside a unit";
      default -> "the unit ends its transaction itself: it commits when the callback returns and rolls back"
          + " when it throws; use tx.savepoint(...) to undo part of it, or db.inNewTx(...) for work that must"
          + " commit on its own";
    };
    return "txguard refused " + control + " sent as SQL inside unit '" + name() + "' (attempt " + attempt
        + "): " + instead + ". The unit is aborted and nothing in it will commit";
  }

  /** The unit's session bookkeeping, created on the first change. */
  SessionState session() {
    if (session == null) {
      session = new SessionState(conn, dialect);
    }
    return session;
  }

  /** Called after a statement ran through txguard's paths: the server's transaction must still be open. */
  void afterStatement(String sql) {
    begun = true;
    checkTransactionOpen(sql);
  }

  /**
   * Fails the unit when the server's transaction status (as the driver last saw it, no round trip)
   * says its transaction ended although the unit did not end it: a COMMIT or ROLLBACK that reached
   * the server by a path txguard does not see (the driver's own connection, unwrapped).
   */
  void checkTransactionOpen(String sql) {
    if (endedElsewhere != null || !begun || driver == null || connectionLost || discarded
        || state == State.TIMED_OUT || dialect.transactionState(driver) != TransactionState.IDLE) {
      return;
    }
    endedElsewhere = new CommitOutcomeUnknownException("the transaction of unit '" + name() + "' (attempt " + attempt
        + ") was ended by something other than the unit"
        + (sql == null ? " (a statement txguard did not see)" : ", after: " + abbreviate(sql))
        + "; work done before that may have been committed or rolled back, and txguard cannot tell which."
        + " The unit fails, nothing after that point commits, and its connection is discarded. End a unit"
        + " by returning or throwing from its callback", null);
    throw endedElsewhere;
  }

  /** Throws unless the unit is still open (statements may still be refused). */
  void checkOpen() {
    State s = state;
    if (s != State.ACTIVE) {
      throw s == State.TIMED_OUT ? timeout(null) : ended(s);
    }
  }

  /**
   * Whether the transaction can do nothing but roll back. The driver's transaction state, read
   * without a round trip where the dialect can, is the truth: it also sees errors raised through the
   * raw connection and recoveries by ROLLBACK TO SAVEPOINT. Without it, the unit's own record of
   * failed statements is.
   */
  boolean aborted() {
    boolean aborted = rollbackOnly != null || connectionLost || endedElsewhere != null
        || (driver != null ? dialect.transactionState(driver) == TransactionState.FAILED : failedWithoutDriverState);
    if (!aborted && firstError != null) {
      firstError = null; // recovered, e.g. by ROLLBACK TO SAVEPOINT
      firstErrorSql = null;
    }
    return aborted;
  }

  /**
   * Records a failed statement and returns the exception to throw for it: a timeout when the
   * deadline is the cause, a {@link StatementException} otherwise.
   */
  RuntimeException statementFailed(SQLException e, String sql) {
    noteError(e, sql);
    if (state == State.TIMED_OUT
        || (hasDeadline && System.nanoTime() - deadline >= 0 && dialect.cancelled(e))
        || (hasDeadline && discarded)) {
      expire();
      return timeout(e);
    }
    return new StatementException(sql, e);
  }

  /** Remembers the first error that aborted the unit, for later messages. */
  void noteError(SQLException e, String sql) {
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
  void markRollbackOnly(Throwable cause) {
    if (!aborted()) {
      rollbackOnly = cause;
    }
  }

  /** Whether {@link #release()} ran. */
  boolean released() {
    return released;
  }

  /** Whether the unit still has its connection: not released, not discarded, not timed out. */
  boolean holdsConnection() {
    return !released && !discarded && state != State.TIMED_OUT;
  }

  /** Whether this unit's own connection was lost (class 08, or the server ended the session). */
  boolean lostConnection() {
    return connectionLost;
  }

  /** The error that aborted the unit, or null. */
  Throwable abortCause() {
    if (firstError != null) {
      return firstError;
    }
    return rollbackOnly;
  }

  TransactionAbortedException abortedException(String what) {
    Throwable cause = abortCause();
    String reason;
    if (firstError != null) {
      reason = "an earlier error: " + describe(firstError) + " in: " + abbreviate(firstErrorSql);
    } else if (rollbackOnly != null) {
      reason = "a failure of a nested call that joined it: " + rollbackOnly;
    } else if (endedElsewhere != null) {
      return new TransactionAbortedException(what + ": " + endedElsewhere.getMessage(), endedElsewhere);
    } else if (connectionLost) {
      reason = "the loss of its connection";
    } else {
      reason = "an earlier error raised through tx.connection()";
    }
    return new TransactionAbortedException(
        what + ": unit '" + name() + "' (attempt " + attempt + ") was aborted by " + reason
            + "; nothing in it will commit. To continue after an expected error, run the failing"
            + " statement in tx.savepoint(...)",
        cause);
  }

  private static String describe(SQLException e) {
    String msg = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
    return "SQLSTATE " + e.getSQLState() + " (" + msg + ")";
  }

  private static String abbreviate(String sql) {
    if (sql == null) {
      return "(a statement on tx.connection())";
    }
    String oneLine = sql.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 197) + "...";
  }

  IllegalStateException ended(State s) {
    String how = switch (s) {
      case COMMITTED -> "committed";
      case ROLLED_BACK -> "rolled back";
      case TIMED_OUT -> "timed out";
      default -> "ending";
    };
    return new IllegalStateException(
        "unit '" + name() + "' (attempt " + attempt + ") has already " + (s == State.ENDING ? "begun to end" : "ended: " + how)
            + "; a Tx cannot be used after its unit ends");
  }

  TxTimeoutException timeout(Throwable cause) {
    Duration timeout = options.timeout().orElseThrow();
    long ran = (System.nanoTime() - firstStartNanos) / 1_000_000;
    return new TxTimeoutException(
        "unit '" + name() + "' ran past its timeout of " + timeout.toMillis() + " ms (" + ran
            + " ms since it began, attempt " + attempt + "); its statement was cancelled and its"
            + " transaction rolled back",
        cause);
  }

  // ---- ending ----------------------------------------------------------------------------------

  /**
   * Commits, or throws: the unit was aborted (it is not committed), timed out, or COMMIT failed.
   * The caller rolls back after any exception from here.
   */
  void commit() {
    State s = state;
    if (s == State.TIMED_OUT) {
      throw timeout(null);
    }
    if (s != State.ACTIVE) {
      throw ended(s);
    }
    checkTransactionOpen(null);
    if (endedElsewhere != null) {
      throw endedElsewhere;
    }
    if (aborted()) {
      throw abortedException("unit returned normally but cannot commit");
    }
    if (!casState(State.ACTIVE, State.ENDING)) {
      throw timeout(null);
    }
    try {
      conn.commit();
    } catch (SQLException e) {
      if (dialect.connectionLost(e)) {
        connectionLost = true;
        throw new CommitOutcomeUnknownException(
            "the connection of unit '" + name() + "' (attempt " + attempt + ") was lost during COMMIT:"
                + " it may or may not have committed, so it is not retried; check the database"
                + " before acting", e);
      }
      throw new StatementException("COMMIT", e);
    }
    state = State.COMMITTED;
  }

  /**
   * Ends the unit without committing, after {@code failure} (null for an explicit rollback). A
   * rollback error is added to {@code failure} as suppressed, never replacing it. A unit that hit
   * its deadline, or lost its connection, has its connection discarded instead.
   */
  void rollback(Throwable failure) {
    State s = state;
    if (s == State.TIMED_OUT || s == State.COMMITTED || s == State.ROLLED_BACK) {
      return;
    }
    if (s == State.ACTIVE && !casState(State.ACTIVE, State.ENDING)) {
      return; // the watchdog ended it
    }
    boolean timedOut = failure instanceof TxTimeoutException
        || (hasDeadline && System.nanoTime() - deadline >= 0);
    noteEndedElsewhere(failure);
    if (timedOut || connectionLost || endedElsewhere != null) {
      discard();
    } else {
      try {
        conn.rollback();
      } catch (SQLException e) {
        if (failure != null) {
          failure.addSuppressed(e);
        } else {
          throw new StatementException("ROLLBACK", e);
        }
      }
    }
    state = State.ROLLED_BACK;
  }

  /**
   * Called by the watchdog at the deadline (or by the owner who notices it first): cancels the
   * running statement and discards the connection, so the server rolls back and releases locks
   * even if the callback is stuck outside the database.
   */
  void expire() {
    if (!casState(State.ACTIVE, State.TIMED_OUT)) {
      return;
    }
    try {
      dialect.cancelRunningStatement(conn);
    } catch (SQLException | RuntimeException e) {
      Engine.LOG.debug("cancel of unit '{}' failed: {}", name(), e.toString());
    }
    discard();
  }

  /** Closes the physical connection and takes it out of the pool, freeing its slot at once. */
  void discard() {
    if (discarded) {
      return;
    }
    discarded = true;
    try {
      Connection physical = conn.unwrap(Connection.class);
      physical.abort(Runnable::run);
    } catch (SQLException | RuntimeException e) {
      Engine.LOG.debug("abort of unit '{}' failed: {}", name(), e.toString());
    }
    pool.evict(conn);
  }

  /**
   * Returns the connection to the pool unless it was discarded, or the unit timed out (then whoever
   * timed it out discards the connection: it may still be cancelling its statement). Idempotent.
   */
  void release() {
    if (released) {
      return;
    }
    released = true;
    engine.closed(this);
    if (discarded || state == State.TIMED_OUT) {
      return;
    }
    if ((epilogue != null && !runEpilogue()) || (session != null && !resetSession())) {
      return;
    }
    try {
      conn.close();
    } catch (SQLException e) {
      Engine.LOG.warn("closing the connection of unit '{}' failed: {}", name(), e.toString());
    }
  }

  /** Tells {@code failure} that the transaction had already ended elsewhere, if it had: it is no rollback. */
  private void noteEndedElsewhere(Throwable failure) {
    if (endedElsewhere == null) {
      try {
        checkTransactionOpen(null);
      } catch (CommitOutcomeUnknownException e) {
        // recorded in endedElsewhere
      }
    }
    if (endedElsewhere != null && failure != null && failure != endedElsewhere
        && !java.util.Arrays.asList(failure.getSuppressed()).contains(endedElsewhere)) {
      failure.addSuppressed(endedElsewhere);
    }
  }

  /** Puts back what the prelude set for the session; discards the connection when that fails. */
  private boolean runEpilogue() {
    try (Statement st = conn.createStatement()) {
      st.execute(epilogue);
      return true;
    } catch (SQLException | RuntimeException e) {
      Engine.LOG.debug("restoring the session limits of unit '{}' failed, discarding its connection: {}", name(), e.toString());
      discard();
      return false;
    }
  }

  /** Resets what the unit changed in its session; discards the connection when that fails. */
  private boolean resetSession() {
    try {
      session.reset(conn);
      return true;
    } catch (SQLException | RuntimeException e) {
      Engine.LOG.debug("resetting the session of unit '{}' failed, discarding its connection: {}", name(), e.toString());
      discard();
      return false;
    }
  }

  @Override
  public String toString() {
    return "unit '" + name() + "' (attempt " + attempt + ", level " + level + ", " + state + ")";
  }
}
