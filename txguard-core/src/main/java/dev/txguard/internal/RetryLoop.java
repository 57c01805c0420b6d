package dev.txguard.internal;

import dev.txguard.TxException;
import dev.txguard.TxFunction;
import dev.txguard.TxOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Callback units: joins a running unit, or runs attempts until one commits or {@link RetryPolicy}
 * says to stop, keeping earlier failures as suppressed exceptions on the one finally thrown. This
 * is the transaction hot path: one {@link TxImpl} and one {@link Unit} per attempt, nothing else
 * allocated when the first attempt commits. Thread-safe.
 */
final class RetryLoop {
  private final Engine engine;
  private final UnitOpener opener;
  private final Listeners listeners;
  private final Hooks hooks;

  RetryLoop(Engine engine, UnitOpener opener, Listeners listeners, Hooks hooks) {
    this.engine = engine;
    this.opener = opener;
    this.listeners = listeners;
    this.hooks = hooks;
  }

  /**
   * Runs {@code work} in a unit: joins the thread's unit of this database unless {@code
   * independent}; otherwise opens one (one level up when the thread already holds a connection of
   * this database) and retries it on retryable failures.
   */
  <T, X extends Exception> T run(TxOptions options, TxFunction<T, X> work, boolean independent)
      throws X {
    ThreadContext ctx = ThreadContext.get();
    if (!independent) {
      TxImpl outer = ctx.find(engine);
      if (outer != null) {
        return join(outer, options, work);
      }
    }
    int level = ctx.nextLevel(engine);
    engine.checkLevel(ctx, level);
    long firstStart = System.nanoTime();
    List<Throwable> earlier = null;
    for (int attempt = 1; ; attempt++) {
      TxImpl tx = attempt(ctx, options, work, attempt, firstStart, level, earlier);
      if (tx.failure == null) {
        hooks.runOutside(ctx, tx.unit, true);
        @SuppressWarnings("unchecked")
        T result = (T) tx.result;
        return result;
      }
      earlier = beforeRetry(ctx, options, tx, attempt, earlier);
    }
  }

  /**
   * After failed attempt {@code attempt}: throws what the unit ends with (the failure, or exhausted
   * retries, or a timeout; earlier failures suppressed on it), or waits the backoff and returns the
   * failures so far.
   */
  private List<Throwable> beforeRetry(
      ThreadContext ctx, TxOptions options, TxImpl tx, int attempt, List<Throwable> earlier) {
    Throwable failure = tx.failure;
    long delay =
        RetryPolicy.backoffNanos(
            options, attempt, cap -> ThreadLocalRandom.current().nextLong(cap + 1));
    Throwable verdict =
        RetryPolicy.verdict(
            options,
            attempt,
            failure,
            retryable(tx.unit, failure),
            tx.unit.hasDeadline && System.nanoTime() + delay - tx.unit.deadline >= 0);
    if (verdict != null) {
      hooks.runOutside(ctx, tx.unit, false);
      throw Failures.rethrow(withEarlier(verdict, earlier));
    }
    listeners.retry(options.name(), attempt + 1, failure, Duration.ofNanos(delay));
    List<Throwable> failures = earlier == null ? new ArrayList<>() : earlier;
    failures.add(failure);
    sleep(delay, failure, failures);
    return failures;
  }

  /**
   * Runs one attempt to its end and returns its {@link TxImpl} holding the outcome (the result, or
   * the failure after rollback): kept on the Tx, so a committing attempt allocates no holder.
   */
  private <T, X extends Exception> TxImpl attempt(
      ThreadContext ctx,
      TxOptions options,
      TxFunction<T, X> work,
      int attempt,
      long firstStart,
      int level,
      List<Throwable> earlier) {
    Unit unit = open(options, attempt, firstStart, level, earlier);
    TxImpl tx = new TxImpl(unit, null);
    ctx.push(tx);
    try {
      listeners.begin(tx);
      unit.start();
      tx.result = work.apply(tx);
      unit.commit();
      listeners.commit(tx, unit);
    } catch (Throwable t) {
      tx.failure = t;
      unit.rollback(t);
      attachAbortCause(unit, t);
      listeners.rollback(tx, t);
    } finally {
      ctx.pop();
      unit.release();
    }
    return tx;
  }

  /** Opens the attempt's unit; a failure to open carries the earlier attempts' failures. */
  private Unit open(
      TxOptions options, int attempt, long firstStart, int level, List<Throwable> earlier) {
    try {
      return opener.open(options, attempt, firstStart, level, null);
    } catch (RuntimeException e) {
      throw withEarlier(e, earlier); // e.g. the database was closed while this unit waited to retry
    }
  }

  /**
   * Whether the attempt failed for a reason that may pass on a rerun: {@code failure} is retryable,
   * or the callback replaced the retryable error that aborted the unit with an exception of its own
   * (a caught 40001 rethrown as a business exception). A lost connection counts only if it was the
   * unit's own.
   */
  private static boolean retryable(Unit unit, Throwable failure) {
    boolean ownConnectionLost = unit.lostConnection();
    if (Failures.retryable(unit.dialect, failure, ownConnectionLost)) {
      return true;
    }
    Throwable abortedBy = unit.abortCause();
    return abortedBy != null
        && abortedBy != failure
        && !Failures.hasFinalVerdict(failure)
        && Failures.retryable(unit.dialect, abortedBy, ownConnectionLost);
  }

  private <T, X extends Exception> T join(TxImpl outer, TxOptions options, TxFunction<T, X> work)
      throws X {
    String conflict = conflict(outer.unit.options, options);
    if (conflict != null) {
      throw new IllegalStateException(conflict);
    }
    try {
      return work.apply(outer);
    } catch (Throwable t) {
      outer.unit.markRollbackOnly(t);
      throw Failures.rethrow(t);
    }
  }

  /**
   * Why a nested call with {@code inner} options cannot join a unit running with {@code outer}, or
   * null when it can: the outer unit must be at least as strict (isolation, read-write).
   */
  static String conflict(TxOptions outer, TxOptions inner) {
    String what = null;
    if (inner.isolation().ordinal() > outer.isolation().ordinal()) {
      what = "isolation " + inner.isolation() + " but the unit runs at " + outer.isolation();
    } else if (!inner.readOnly() && outer.readOnly()) {
      what = "read-write but the unit is read-only";
    }
    if (what == null) {
      return null;
    }
    return "nested unit '"
        + inner.name()
        + "' asks for "
        + what
        + " and would join unit '"
        + outer.name()
        + "' ("
        + outer.isolation()
        + (outer.readOnly() ? ", read-only" : ", read-write")
        + "); give it"
        + " compatible options, or use db.inNewTx(...) for an independent unit";
  }

  private static void attachAbortCause(Unit unit, Throwable failure) {
    Throwable cause = unit.abortCause();
    if (cause != null && cause != failure && !Failures.causes(failure).contains(cause)) {
      failure.addSuppressed(cause);
    }
  }

  static <E extends Throwable> E withEarlier(E failure, List<Throwable> earlier) {
    if (earlier != null) {
      for (Throwable e : earlier) {
        if (e != failure) {
          failure.addSuppressed(e);
        }
      }
    }
    return failure;
  }

  private static void sleep(long nanos, Throwable failure, List<Throwable> earlier) {
    long end = System.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = end - System.nanoTime()) {
      LockSupport.parkNanos(left);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        earlier.remove(failure);
        TxException e =
            new TxException(
                "interrupted while waiting to retry; the last attempt failed with: "
                    + RetryPolicy.summary(failure),
                failure);
        throw withEarlier(e, earlier);
      }
    }
  }
}
