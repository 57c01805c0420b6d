package dev.txguard.queue.internal;

import dev.txguard.internal.Failures;
import dev.txguard.internal.SafeLog;
import dev.txguard.queue.JobState;
import dev.txguard.queue.LeaseLostException;
import dev.txguard.queue.NonRetryableJobException;
import java.util.Optional;

/**
 * Records how an attempt failed, at once, whatever the handler threw: an exception, an {@link
 * Error}, or a {@link VirtualMachineError} the JVM survived (a {@link StackOverflowError} has
 * unwound its stack by the time it is caught here; a thrown {@link OutOfMemoryError} often leaves
 * memory to spare). The job is retried or ends as record_failure.sql decides, with the throwable's
 * own description and trace stored, instead of waiting a whole lease to be rescued with "the worker
 * stopped heartbeating". Only if recording itself fails (the database is gone, or memory really is
 * exhausted) is the job left to rescue. Texts stored are bounded ({@link Bounded}).
 */
final class AttemptFailures {
  private static final int TRACE_FRAMES = 20;
  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final Backoff backoff;
  private final Events events;
  private final Notifier notifier;
  private final Runnable retryScheduled;

  AttemptFailures(
      QueueConfig config,
      Sql sql,
      Now now,
      Events events,
      Notifier notifier,
      Runnable retryScheduled) {
    this.config = config;
    this.sql = sql;
    this.now = now;
    this.backoff = new Backoff(config.backoffInitial(), config.backoffMax());
    this.events = events;
    this.notifier = notifier;
    this.retryScheduled = retryScheduled;
  }

  /**
   * The attempt ended with {@code t}: records it, unless the attempt had lost its lease meanwhile.
   */
  void failed(Attempt a, Throwable t) {
    a.ending = true; // before the lease check: see Attempt.ending
    if (t instanceof VirtualMachineError) {
      Events.LOG.error("{} failed with {}; recording it", a, describe(t));
    }
    if (a.leaseLost) {
      // shutdown gave the lease up (or tried to) or a heartbeat found it gone, and interrupted the
      // handler: what it threw is not a failure of the job, and recording it would count an attempt
      // the queue took away (when give-up failed, the lease expires and rescue decides instead)
      LeaseLostException lost =
          new LeaseLostException(
              a.id,
              "not recording the failure of "
                  + a
                  + " ("
                  + describe(t)
                  + "): the attempt no longer holds the job's lease (shutdown gave it up, or it expired)");
      lost.addSuppressed(t);
      leaseLost(a, lost);
      return;
    }
    try {
      record(a, t);
    } catch (Throwable e) { // even an OutOfMemoryError here must not end the worker
      SafeLog.error(
          Events.LOG,
          e,
          "cannot record the failure of {} ({}); its lease will expire and maintenance rescues it",
          a,
          describe(t));
    }
  }

  void leaseLost(Attempt a, LeaseLostException e) {
    Events.LOG.warn(e.getMessage());
    events.fire(l -> l.onLeaseLost(a.event(), e));
  }

  private void record(Attempt a, Throwable error) {
    Optional<Rows.FailureOutcome> outcome = store(a, error);
    if (outcome.isEmpty()) {
      leaseLost(
          a,
          new LeaseLostException(
              a.id,
              "cannot record the failure of "
                  + a
                  + " ("
                  + describe(error)
                  + "): the attempt no longer holds the job's lease"));
      return;
    }
    JobState state = outcome.get().state();
    if (state.isFinal()) {
      if (state == JobState.CANCELLED) { // asked for by someone: worth a line, not a warning
        Events.LOG.info("{} ended as {}: {}", a, state, describe(error));
      } else {
        Events.LOG.warn("{} ended as {}: {}", a, state, describe(error));
      }
      events.fire(l -> l.onFailed(a.event(), error, state));
    } else {
      // every failed attempt gets a line: with the default backoff a job that fails at each
      // attempt (a missing column, a bad argument) would otherwise show nothing for hours
      Events.LOG.warn(
          "{} failed (at most {} attempts), runs again at {}: {}",
          a,
          a.maxAttempts,
          outcome.get().runAt(),
          describe(error));
      if (state == JobState.RETRYABLE) {
        retryScheduled.run(); // an idle leader here learns the retry's run-at now
      }
      events.fire(l -> l.onRetried(a.event(), error, outcome.get().runAt()));
    }
  }

  /**
   * Stores the failure in the job's row (retry later, or a final state) and wakes a caller awaiting
   * a final one, in one unit; empty when the attempt no longer holds the lease.
   */
  private Optional<Rows.FailureOutcome> store(Attempt a, Throwable error) {
    boolean discard = nonRetryable(error);
    long delay = backoff.delayMillis(a.number);
    return config
        .db()
        .inTx(
            config.txOptions().name("job failure"),
            tx -> {
              Optional<Rows.FailureOutcome> row =
                  LookupPlans.query(
                          tx,
                          sql,
                          sql.recordFailure,
                          Rows.FailureOutcome::read,
                          now.param(),
                          discard,
                          delay,
                          a.id,
                          a.token,
                          describe(error),
                          trace(error))
                      .stream()
                      .findFirst();
              if (row.isPresent() && row.get().state().isFinal() && row.get().awaited()) {
                notifier.jobEnded(tx, a.id);
              }
              return row;
            });
  }

  private static boolean nonRetryable(Throwable error) {
    for (Throwable t : Failures.causes(error)) {
      if (t instanceof NonRetryableJobException) {
        return true;
      }
    }
    return false;
  }

  /**
   * The throwable's {@code toString()}, storable and bounded; its class name when reading it throws
   * ({@link SafeLog#describe}).
   */
  static String describe(Throwable error) {
    return Bounded.message(storable(SafeLog.describe(error)));
  }

  /**
   * The throwable, its first frames and its first cause, storable and bounded: built from the
   * frames rather than printed, so that a {@link StackOverflowError}'s thousand frames cost
   * nothing.
   */
  static String trace(Throwable error) {
    try {
      return Bounded.text(storable(frames(error)), Bounded.TRACE);
    } catch (Throwable reading) { // a throwable that overrides getStackTrace or getCause to throw
      return describe(error);
    }
  }

  private static String frames(Throwable error) {
    StringBuilder out = new StringBuilder(describe(error));
    StackTraceElement[] frames = error.getStackTrace();
    int shown = Math.min(frames.length, TRACE_FRAMES);
    for (int i = 0; i < shown; i++) {
      out.append("\n\tat ").append(frames[i]);
    }
    if (frames.length > shown) {
      out.append("\n\t... ").append(frames.length - shown).append(" more");
    }
    Throwable cause = error.getCause();
    if (cause != null && cause != error) {
      out.append("\nCaused by: ").append(describe(cause));
    }
    return out.toString();
  }

  /**
   * The text with every U+0000 and every unpaired UTF-16 surrogate replaced by U+FFFD, the
   * replacement character: PostgreSQL cannot store NUL in text, and an error message holding one
   * (from a handler's exception) would make the failure unrecordable; the driver sends an unpaired
   * surrogate as {@code ?}, which would hide that the stored text differs from the thrown one.
   */
  static String storable(String text) {
    if (text.indexOf('\0') < 0 && Checks.loneSurrogate(text) < 0) {
      return text;
    }
    // codePoints() yields a paired surrogate as one code point above U+FFFF, an unpaired one alone
    int[] points =
        text.codePoints()
            .map(c -> c == 0 || Character.isSurrogate((char) c) && c <= 0xFFFF ? 0xFFFD : c)
            .toArray();
    return new String(points, 0, points.length);
  }
}
