package dev.txguard.queue.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.txguard.Database;
import dev.txguard.TxException;
import dev.txguard.queue.CallTimeoutException;
import dev.txguard.queue.EnqueueOptions;
import dev.txguard.queue.JobError;
import dev.txguard.queue.JobFailedException;
import dev.txguard.queue.JobState;
import java.time.Duration;
import java.util.List;

/**
 * {@code queue.call}: enqueue in a committed unit of its own one level above the caller's unit,
 * mark the job to run at that level, then wait for its end without holding a connection (woken by
 * the job ending in this process or by the control connection hearing it end elsewhere; reading
 * the row every poll interval as a fallback), and read the outcome in a short unit one level up.
 */
final class Caller {
  private record Outcome(JobState state, String resultJson, String errorsJson) {}

  private final QueueConfig config;
  private final Sql sql;
  private final Producer producer;
  private final JsonCodec json;
  private final Waiters waiters;

  Caller(QueueConfig config, Sql sql, Producer producer, JsonCodec json, Waiters waiters) {
    this.config = config;
    this.sql = sql;
    this.producer = producer;
    this.json = json;
    this.waiters = waiters;
  }

  <R> R call(Object args, EnqueueOptions options, Class<R> resultType, Duration timeout) {
    Database db = config.db();
    int level = runLevel(db);
    long deadline = System.nanoTime() + Durations.nanos(timeout);
    long id = db.inNewTx(config.txOptions().name("call: enqueue"), tx -> {
      long jobId = producer.enqueue(tx, args, options).id();
      tx.update(sql.markCall, level, jobId);
      return jobId;
    });
    Signal ended = waiters.register(id);
    try {
      while (true) {
        Outcome o = read(id);
        if (o.state().isFinal()) {
          return result(id, o, resultType);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new CallTimeoutException(id, "job " + id + " (enqueued by call at level " + db.level()
              + ", running at level " + level + ") did not end within " + timeout + "; last seen "
              + o.state().sqlName() + ". It is not cancelled and may still run: cancel(" + id + ") if its result is"
              + " no longer wanted. A job that stays available means no worker of its queue '" + options.queue()
              + "' claimed it: is one started, with runLevels above " + level + ", and free connections at that level?");
        }
        ended.await(Duration.ofNanos(Math.min(left, config.pollInterval().toNanos())));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TxException("interrupted while waiting for job " + id + " (call)", e);
    } finally {
      waiters.remove(id);
    }
  }

  /** One level above the caller's unit (or the caller's level outside a unit). */
  private int runLevel(Database db) {
    int level = config.sameLevelCalls() ? db.level() : db.context().level();
    if (level >= config.runLevels()) {
      throw new IllegalStateException("call at level " + db.level() + " needs its job to run at level " + level
          + ", but this queue works levels 0 to " + (config.runLevels() - 1) + ": raise JobQueue.Builder#runLevels"
          + " (on every process working the queue) or call from fewer nested units");
    }
    return level;
  }

  private Outcome read(long id) {
    return config.db().inNewTx(config.txOptions().name("call: read outcome").readOnly(true),
        tx -> tx.queryOne(sql.outcome, rs -> new Outcome(JobState.fromSql(rs.getString(1)), rs.getString(2),
            rs.getString(3)), id)).orElseThrow(() -> new IllegalStateException("job " + id
                + " awaited by call no longer exists: was it deleted by hand, or is retention shorter than the wait?"));
  }

  private <R> R result(long id, Outcome o, Class<R> type) {
    if (o.state() != JobState.COMPLETED) {
      List<JobError> errors = json.decodeErrors(o.errorsJson());
      throw new JobFailedException(id, o.state(), errors.isEmpty() ? null : errors.getLast());
    }
    try {
      return json.decodeResult(o.resultJson(), type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the result of job " + id + " cannot be read as " + type.getName() + ": "
          + e.getOriginalMessage(), e);
    }
  }
}
