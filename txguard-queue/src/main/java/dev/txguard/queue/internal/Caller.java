package dev.txguard.queue.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.txguard.Database;
import dev.txguard.Tx;
import dev.txguard.TxException;
import dev.txguard.queue.CallTimeoutException;
import dev.txguard.queue.EnqueueOptions;
import dev.txguard.queue.JobError;
import dev.txguard.queue.JobFailedException;
import dev.txguard.queue.JobState;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * {@code queue.call}: enqueue in a committed unit of its own one level above the caller's unit,
 * mark the job to run at that level, then wait for its end without holding a connection (woken by
 * the job ending in this process or by the control connection hearing it end elsewhere; reading the
 * row every poll interval as a fallback), and read the outcome in a short unit one level up.
 */
final class Caller {
  private final QueueConfig config;
  private final Sql sql;
  private final Producer producer;
  private final JsonCodec json;
  private final Waiters waiters;

  /** The naive design (the job at the caller's own level), for the test that shows its deadlock. */
  private final boolean atCallerLevel;

  Caller(
      QueueConfig config,
      Sql sql,
      Producer producer,
      JsonCodec json,
      Waiters waiters,
      boolean atCallerLevel) {
    this.config = config;
    this.sql = sql;
    this.producer = producer;
    this.json = json;
    this.waiters = waiters;
    this.atCallerLevel = atCallerLevel;
  }

  <R> R call(Object args, EnqueueOptions options, Class<R> resultType, Duration timeout) {
    Database db = config.db();
    int level = runLevel(db);
    long deadline = System.nanoTime() + Durations.nanos(timeout);
    long id =
        db.inNewTx(
            config.txOptions().name("call: enqueue"),
            tx -> {
              long jobId = producer.insert(tx, args, options).id();
              // without the plan settings: they would last to the COMMIT of the job's INSERT
              tx.queryOne(sql.markCall, Marked::read, level, jobId).ifPresent(m -> announce(tx, m));
              return jobId;
            });
    Signal ended = waiters.register(id);
    try {
      return result(
          id, awaitEnd(id, ended, deadline, timedOut(id, level, options, timeout)), resultType);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TxException("interrupted while waiting for job " + id + " (call)", e);
    } finally {
      waiters.remove(id, ended);
    }
  }

  /**
   * Reads the job's row until it is final: at once, then whenever {@code ended} is raised or the
   * poll interval passes; past {@code deadline} (a {@link System#nanoTime()}) throws what {@code
   * timeout} makes of the last row seen.
   */
  private Rows.Outcome awaitEnd(
      long id, Signal ended, long deadline, Function<Rows.Outcome, CallTimeoutException> timeout)
      throws InterruptedException {
    while (true) {
      Rows.Outcome o = read(id);
      if (o.state().isFinal()) {
        return o;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw timeout.apply(o);
      }
      ended.await(Duration.ofNanos(Math.min(left, config.pollInterval().toNanos())));
    }
  }

  private Function<Rows.Outcome, CallTimeoutException> timedOut(
      long id, int level, EnqueueOptions options, Duration timeout) {
    int callerLevel = config.db().level();
    return o ->
        new CallTimeoutException(
            id,
            "job "
                + id
                + " (enqueued by call at level "
                + callerLevel
                + ", running at level "
                + level
                + ") did not end within "
                + timeout
                + "; last seen "
                + o.state().sqlName()
                + ". It is not cancelled and may still run: cancel("
                + id
                + ") if its result is"
                + " no longer wanted. A job that stays available means no worker of its queue '"
                + options.queue()
                + "' claimed it: is one started, with runLevels above "
                + level
                + ", and free connections at that level?");
  }

  /** mark_call.sql: the job of the call, at its run level now. */
  private record Marked(String queue, JobState state, int runLevel) {
    static Marked read(ResultSet rs) throws SQLException {
      return new Marked(rs.getString("queue"), Rows.state(rs), rs.getInt("run_level"));
    }
  }

  /**
   * After the call's unit commits: wakes the fetcher of the job's run level if the job is
   * available, and nudges maintenance if it waits for its run-at; a running job needs neither.
   */
  private void announce(Tx tx, Marked m) {
    if (m.state() == JobState.AVAILABLE) {
      producer.announceAfterCommit(tx, JobState.AVAILABLE, m.queue(), m.runLevel());
    } else if (m.state() != JobState.RUNNING) {
      producer.announceAfterCommit(tx, JobState.SCHEDULED, m.queue(), m.runLevel());
    }
  }

  /** One level above the caller's unit (or the caller's level outside a unit). */
  private int runLevel(Database db) {
    int level = atCallerLevel ? db.level() : db.context().level();
    if (level >= config.runLevels()) {
      throw new IllegalStateException(
          "call at level "
              + db.level()
              + " needs its job to run at level "
              + level
              + ", but this queue works levels 0 to "
              + (config.runLevels() - 1)
              + ": raise JobQueue.Builder#runLevels"
              + " (on every process working the queue) or call from fewer nested units");
    }
    return level;
  }

  private Rows.Outcome read(long id) {
    return config
        .db()
        .inNewTx(
            config.txOptions().name("call: read outcome").readOnly(true),
            tx ->
                LookupPlans.query(tx, sql, sql.outcome, Rows.Outcome::read, id).stream()
                    .findFirst())
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "job "
                        + id
                        + " awaited by call no longer exists: was it deleted by hand, or is retention shorter than the wait?"));
  }

  private <R> R result(long id, Rows.Outcome o, Class<R> type) {
    if (o.state() != JobState.COMPLETED) {
      List<JobError> errors = json.decodeErrors(o.errorsJson());
      throw new JobFailedException(id, o.state(), errors.isEmpty() ? null : errors.getLast());
    }
    try {
      return json.decodeResult(o.resultJson(), type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "the result of job "
              + id
              + " cannot be read as "
              + type.getName()
              + ": "
              + e.getOriginalMessage(),
          e);
    }
  }
}
