package dev.txguard.internal;

import dev.txguard.StatementException;
import dev.txguard.TxOptions;
import dev.txguard.TxTimeoutException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One attempt of a unit on one pooled connection: its state machine and the ways it ends (what it
 * recorded: its transaction's health, the SQL it admitted, its hooks, is {@link AttemptRecord}).
 *
 * <p>State moves ACTIVE → ENDING → COMMITTED or ROLLED_BACK on the owner's thread, or ACTIVE →
 * TIMED_OUT on the watchdog's thread when the deadline passes. Whoever leaves ACTIVE first owns the
 * connection's end: the watchdog never touches a unit that is committing, and the owner never
 * touches a connection the watchdog discarded. This object must never reference a {@code TxHandle},
 * or a dropped manual handle could not become unreachable.
 *
 * <p>Longer than the project's usual 300 lines on purpose: it is the measured hot path (one object
 * per attempt, its bytes counted in BENCHMARKS.md, "where the unit's bytes go"), and splitting its
 * state across objects would add an allocation per unit.
 */
public final class Unit extends AttemptRecord {
  enum State {
    ACTIVE,
    ENDING,
    COMMITTED,
    ROLLED_BACK,
    TIMED_OUT
  }

  private static final VarHandle STATE;
  private static final VarHandle DISCARDED;
  private static final VarHandle DISCARD_DONE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Unit.class, "state", State.class);
      DISCARDED = MethodHandles.lookup().findVarHandle(Unit.class, "discarded", boolean.class);
      DISCARD_DONE =
          MethodHandles.lookup().findVarHandle(Unit.class, "discardDone", CountDownLatch.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** How long a release waits for the watchdog's cancel and discard of a timed-out unit. */
  private static final long DISCARD_WAIT_SECONDS = 10;

  final Engine engine;

  /** The pool the connection came from; its level is the unit's ({@link #level()}). */
  final Pool pool;

  final long startNanos;

  /** The unit's deadline in {@link System#nanoTime()} terms; meaningful only if hasDeadline. */
  final long deadline;

  final boolean hasDeadline;

  /** The thread that opened the unit; also chooses its watchdog stripe ({@link Watchdog}). */
  final Thread owner;

  /** The stack that called begin, for manual handles; null for callback units. */
  final StackTraceElement[] openedAt;

  volatile boolean leakReported;
  ScheduledFuture<?> deadlineTask;

  /** Read and written through {@link #STATE}'s volatile and compare-and-set access only. */
  private volatile State state = State.ACTIVE;

  /** Set once, by compare-and-set through {@link #DISCARDED}: whoever sets it discards. */
  private volatile boolean discarded;

  /**
   * Counted down when the discard (abort, evict) has finished, on whichever thread ran it. Created
   * on the discard path only ({@link #discardDone()}): a unit that is never discarded, nearly all
   * of them, allocates no latch (the unit's own cost is measured per byte, BENCHMARKS.md).
   */
  private volatile CountDownLatch discardDone;

  private volatile boolean released;

  /**
   * What puts back the session after the prelude's limits (databases without SET LOCAL), or null;
   * set and run by {@link UnitSession}.
   */
  String epilogue;

  /** The driver was told the unit is read-only ({@link UnitSession}); put back at release. */
  boolean readOnlyByDriver;

  Unit(
      Engine engine,
      Pool pool,
      TxOptions options,
      int attempt,
      long firstStartNanos,
      Connection conn,
      StackTraceElement[] openedAt) {
    super(options, attempt, pool.dialect, conn);
    this.engine = engine;
    this.pool = pool;
    this.startNanos = System.nanoTime();
    this.hasDeadline = options.timeout().isPresent();
    this.deadline = hasDeadline ? firstStartNanos + options.timeout().get().toNanos() : 0;
    this.owner = Thread.currentThread();
    this.openedAt = openedAt;
  }

  private boolean casState(State expected, State next) {
    return STATE.compareAndSet(this, expected, next);
  }

  boolean active() {
    return state == State.ACTIVE;
  }

  Duration age() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  @Override
  boolean connectionGone() {
    return discarded || state == State.TIMED_OUT;
  }

  /**
   * Sends the attempt's prelude as the transaction's first statement; see {@link
   * UnitSession#start}.
   */
  void start() {
    long timeoutMs =
        hasDeadline ? Math.max(1, (deadline - System.nanoTime() + 999_999) / 1_000_000) : 0;
    UnitSession.start(this, timeoutMs);
  }

  // ---- checks before statements ----------------------------------------------------------------

  /** Throws unless a statement may run now: the unit is active, in time and not aborted. */
  void checkUsable() {
    checkOpen();
    if (hasDeadline && System.nanoTime() - deadline >= 0) {
      expire();
      throw timeout(null);
    }
    checkTransactionOpen(null);
    if (aborted()) {
      throw abortedException("statement refused");
    }
  }

  @Override
  void checkOpen() {
    State s = state;
    if (s != State.ACTIVE) {
      throw s == State.TIMED_OUT ? timeout(null) : UnitMessages.ended(s, name(), attempt);
    }
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

  /** Whether {@link #release()} ran. */
  boolean released() {
    return released;
  }

  /** Whether the unit still has its connection: not released, not discarded, not timed out. */
  boolean holdsConnection() {
    return !released && !discarded && state != State.TIMED_OUT;
  }

  TxTimeoutException timeout(Throwable cause) {
    // the first start is the deadline less the timeout (exact in long arithmetic): a unit without a
    // deadline never times out, so Unit keeps no field for it (the unit's bytes, BENCHMARKS.md)
    long firstStartNanos = deadline - options.timeout().orElseThrow().toNanos();
    return UnitMessages.timeout(options, firstStartNanos, attempt, cause);
  }

  // ---- ending ----------------------------------------------------------------------------------

  /**
   * Commits, or throws: the unit was aborted (it is not committed), timed out, or COMMIT failed.
   * The caller rolls back after any exception from here. The commit path: this method, and {@link
   * CommitResolver} for the transaction id asked before COMMIT and for what a failed COMMIT means.
   *
   * <p>A callback that returned normally with its thread's interrupt status set (the idiom that
   * restores it after catching {@link InterruptedException}) is committed all the same: the status
   * is cleared while the unit ends and set again before this returns or throws. On a virtual thread
   * the JDK closes a socket whose I/O an interrupt meets ("Closed by interrupt"), which lost the
   * COMMIT, broke the pooled connection, and sent the lost-commit inquiry round without a pause
   * (break-it review, session 16).
   */
  void commit() {
    boolean interrupted = Thread.interrupted();
    try {
      commitUninterrupted();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void commitUninterrupted() {
    checkCommittable();
    CommitResolver resolver = engine.resolver();
    long xid = resolver.xidBeforeCommit(this);
    int backendPid = xid > 0 ? dialect.backendPid(conn) : 0;
    if (!casState(State.ACTIVE, State.ENDING)) {
      throw timeout(null); // the watchdog ended it since the check
    }
    try {
      conn.commit();
    } catch (SQLException e) {
      resolver.commitFailed(this, e, xid, backendPid);
    }
    state = State.COMMITTED;
  }

  /** Throws unless the unit may send COMMIT: active, its transaction open and not aborted. */
  private void checkCommittable() {
    checkOpen();
    checkTransactionOpen(null);
    if (endedElsewhere != null) {
      throw endedElsewhere;
    }
    if (aborted()) {
      throw abortedException("unit returned normally but cannot commit");
    }
  }

  /**
   * Ends the unit without committing, after {@code failure} (null for an explicit rollback). A
   * rollback error is added to {@code failure} as suppressed, never replacing it. A unit that hit
   * its deadline, or lost its connection, has its connection discarded instead. An interrupt status
   * set on entry is cleared for the ROLLBACK and set again on return, as in {@link #commit}.
   */
  void rollback(Throwable failure) {
    boolean interrupted = Thread.interrupted();
    try {
      rollbackUninterrupted(failure);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void rollbackUninterrupted(Throwable failure) {
    State s = state;
    if (s == State.TIMED_OUT || s == State.COMMITTED || s == State.ROLLED_BACK) {
      return;
    }
    if (s == State.ACTIVE && !casState(State.ACTIVE, State.ENDING)) {
      return; // the watchdog ended it
    }
    boolean timedOut =
        failure instanceof TxTimeoutException || (hasDeadline && System.nanoTime() - deadline >= 0);
    noteEndedElsewhere(failure);
    if (timedOut || connectionLost || endedElsewhere != null) {
      discard();
    } else {
      rollbackConnection(failure);
    }
    state = State.ROLLED_BACK;
  }

  private void rollbackConnection(Throwable failure) {
    try {
      conn.rollback();
    } catch (SQLException e) {
      if (failure == null) {
        throw new StatementException("ROLLBACK", e);
      }
      failure.addSuppressed(e);
    }
  }

  /**
   * Called by the watchdog at the deadline (or by the owner who notices it first): cancels the
   * running statement and discards the connection, so the server rolls back and releases locks even
   * if the callback is stuck outside the database.
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

  /**
   * Closes the physical connection and takes it out of the pool, freeing its slot at once. Runs
   * once, on the first thread to call it; see {@link #release} for the others.
   */
  void discard() {
    if (!DISCARDED.compareAndSet(this, false, true)) {
      return;
    }
    try {
      Connection physical = conn.unwrap(Connection.class);
      physical.abort(Runnable::run);
    } catch (SQLException | RuntimeException e) {
      Engine.LOG.debug("abort of unit '{}' failed: {}", name(), e.toString());
    } finally {
      try {
        pool.evict(conn);
      } finally {
        discardDone().countDown();
      }
    }
  }

  /**
   * Returns the connection to the pool, or, for a unit that was discarded or timed out, waits until
   * its discard has finished: so when a unit ended at its deadline reaches its caller, its pool
   * slot is free. The watchdog's expiry (the unit's only way into TIMED_OUT) cancels the running
   * statement first and then discards; the release waits for that, and discards itself only if the
   * cancel takes longer than {@link #DISCARD_WAIT_SECONDS} (pgjdbc's own cancel timeout is 10 s).
   * Before, the release returned at once and the slot was freed whenever the watchdog's thread got
   * to it, so the caller's next unit on a pool of one could find it still taken (the starter's
   * TransactionManagerIT.aTimeoutIsTheUnitsDeadline, under load). Idempotent.
   */
  void release() {
    if (released) {
      return;
    }
    released = true;
    engine.closed(this);
    if (discarded || state == State.TIMED_OUT) {
      if (!awaitDiscard()) {
        discard(); // the watchdog is stuck cancelling: free the slot anyway
      }
      return;
    }
    if (!UnitSession.restore(this)) {
      return;
    }
    try {
      conn.close();
    } catch (SQLException e) {
      Engine.LOG.warn("closing the connection of unit '{}' failed: {}", name(), e.toString());
    }
  }

  /**
   * Waits up to {@link #DISCARD_WAIT_SECONDS} until the discard (on this or another thread) has
   * finished; returns whether it has. An interrupt does not end the wait (the slot must be free
   * before the unit ends): it is restored afterwards.
   */
  private boolean awaitDiscard() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DISCARD_WAIT_SECONDS);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return discardDone().await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The discard's latch, created by whichever of the discarding and the releasing thread asks first
   * (compare-and-set), so both always use the same one.
   */
  private CountDownLatch discardDone() {
    CountDownLatch latch = discardDone;
    if (latch == null) {
      CountDownLatch created = new CountDownLatch(1);
      latch = (CountDownLatch) DISCARD_DONE.compareAndExchange(this, null, created);
      if (latch == null) {
        latch = created;
      }
    }
    return latch;
  }

  /** The unit's level: its pool's. */
  int level() {
    return pool.level;
  }

  @Override
  public String toString() {
    return "unit '"
        + name()
        + "' (attempt "
        + attempt
        + ", level "
        + pool.level
        + ", "
        + state
        + ")";
  }
}
