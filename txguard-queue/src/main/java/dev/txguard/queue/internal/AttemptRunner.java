package dev.txguard.queue.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.txguard.Database;
import dev.txguard.StatementException;
import dev.txguard.Tx;
import dev.txguard.TxOptions;
import dev.txguard.queue.JobContext;
import dev.txguard.queue.JobHandler;
import dev.txguard.queue.LeaseLostException;
import dev.txguard.queue.NonRetryableJobException;
import dev.txguard.queue.TransactionalHandler;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs one attempt on the calling (virtual) thread and records its outcome. A transactional
 * handler's unit also completes the job, so its writes and the completion commit together; a plain
 * handler's job completes after the handler returned, batched with other plain handlers'
 * completions of its run level ({@link Completions}: one statement, one commit), and in a unit of
 * its own when its batch failed as a whole. Either way the completion commits through a txguard
 * unit, so the core's handling of a lost COMMIT applies to it, with the transaction id the
 * completion statement returned (no round trip to ask for it). Every recording statement matches on
 * the attempt token: an attempt that lost its lease records nothing. A grouped attempt holds its
 * {@link GroupLock} from before its handler starts until its completion committed. Whatever the
 * handler throws, {@link Throwable}s the JVM survives included ({@link StackOverflowError}, a
 * thrown {@link OutOfMemoryError}), is recorded at once by {@link AttemptFailures}; nothing escapes
 * to end the worker. Just over the usual 300 lines: the two ways a job completes (in its handler's
 * unit, in a batch) share the result's encoding, the per-kind unit options and the refusal of a
 * result the database cannot store, and stay together here.
 */
final class AttemptRunner {
  /** SQLSTATE class 22: a value the database cannot store (bad jsonb, numeric overflow, ...). */
  private static final String DATA_EXCEPTION = "22";

  private final QueueConfig config;
  private final Sql sql;
  private final JsonCodec json;
  private final Now now;
  private final Events events;
  private final Waiters waiters;
  private final Notifier notifier;
  private final AttemptFailures failures;

  /** Batched completion of plain handlers' attempts, one per run level. */
  private final Completions[] completions;

  /** The options of a completion batch's unit (made once, not per batch). */
  private final TxOptions batchOptions;

  /** The options of each kind's job units, by kind name; see {@link #jobOptions}. */
  private final Map<String, TxOptions> jobOptions = new ConcurrentHashMap<>();

  AttemptRunner(
      QueueConfig config, Sql sql, JsonCodec json, Now now, Events events, Waiters waiters) {
    this(config, sql, json, now, events, waiters, () -> {});
  }

  /**
   * @param retryScheduled run after a failure made a job retryable (its retry comes later), to
   *     nudge this process's maintenance
   */
  AttemptRunner(
      QueueConfig config,
      Sql sql,
      JsonCodec json,
      Now now,
      Events events,
      Waiters waiters,
      Runnable retryScheduled) {
    this.config = config;
    this.sql = sql;
    this.json = json;
    this.now = now;
    this.events = events;
    this.waiters = waiters;
    this.notifier = new Notifier(sql);
    this.failures = new AttemptFailures(config, sql, now, events, notifier, retryScheduled);
    this.batchOptions = config.txOptions().name("complete jobs");
    this.completions = new Completions[config.runLevels()];
    for (int level = 0; level < completions.length; level++) {
      completions[level] = new Completions(this::completeBatch);
    }
  }

  void run(Attempt a) {
    // the attempt starts now: a prefetched one waited for a slot since its claim, which is not part
    // of its run (QueueListener.onCompleted's elapsed)
    long startedNanos = System.nanoTime();
    events.fire(l -> l.onFetched(a.event()));
    try {
      execute(a);
      Duration elapsed = Duration.ofNanos(System.nanoTime() - startedNanos);
      events.fire(l -> l.onCompleted(a.event(), elapsed));
    } catch (LeaseLostException e) {
      failures.leaseLost(a, e);
    } catch (Throwable t) {
      failures.failed(a, t);
    } finally {
      // a caller in this process reads the outcome now (the job may have been marked awaited by a
      // call(...) with its unique key while it ran, so this does not trust the claim's flag)
      waiters.ended(a.id);
    }
  }

  private void execute(Attempt a) throws Exception {
    Kind kind = config.kinds().byName(a.kind);
    JobContext<Object> ctx =
        new JobContext<>(
            a.id,
            a.kind,
            a.queue,
            a.number,
            a.maxAttempts,
            a.createdAt,
            args(kind, a),
            () -> a.cancelRequested);
    if (a.cancelRequested) {
      // requested while the attempt waited for a slot (prefetched): its handler never runs, so a
      // grouped one needs no group lock either (cancelGroup waits for its row to stop saying
      // running)
      throw new CancelledBeforeStart(a);
    }
    if (a.group == null) {
      handle(kind, a, ctx);
      return;
    }
    try (GroupLock lock = GroupLock.take(config, sql, a)) {
      if (lock.cancelRequested()) {
        a.cancelRequested = true;
        throw new CancelledBeforeStart(a);
      }
      handle(kind, a, ctx);
    }
  }

  /**
   * Runs the handler, then completes the job on the same thread. An interrupt status the handler
   * left set (restoring it after catching {@link InterruptedException}, say) is cleared when it
   * returns or throws: the queue's own statements follow on this thread, and on a virtual thread
   * the JDK closes a socket whose I/O an interrupt meets, so the completion or the failure record
   * failed and the job ran again after its lease (break-it review, session 16). The queue's own
   * reasons to stop an attempt are flags of the attempt, not the interrupt status.
   */
  @SuppressWarnings("unchecked")
  private void handle(Kind kind, Attempt a, JobContext<Object> ctx) throws Exception {
    Database db = config.db();
    if (kind.txHandler() != null) {
      TransactionalHandler<Object> handler = (TransactionalHandler<Object>) kind.txHandler();
      db.useTx(
          jobOptions(a),
          tx -> {
            Object result;
            try {
              result = handler.handle(tx, ctx);
            } finally {
              Thread.interrupted();
            }
            complete(tx, a, result, encodeResult(a, result));
          });
    } else {
      Object result;
      try {
        result = ((JobHandler<Object>) kind.handler()).handle(ctx);
      } finally {
        Thread.interrupted();
        // the handler no longer runs: its slot may start another attempt while this completion
        // (or failure record) waits for a batch
        a.releaseSlot();
      }
      String resultJson = encodeResult(a, result);
      switch (completions[a.level].complete(a, resultJson)) {
        case COMPLETED -> {}
        case LEASE_LOST -> throw leaseLost(a);
        default -> db.useTx(jobOptions(a), tx -> complete(tx, a, result, resultJson));
      }
    }
  }

  /**
   * The options of the unit that runs (or alone completes) a job of {@code a}'s kind: the queue's,
   * named after the kind. Made once per kind, not per attempt (a string and an options object per
   * job in the queue benchmark's allocation profile).
   */
  private TxOptions jobOptions(Attempt a) {
    return jobOptions.computeIfAbsent(a.kind, kind -> config.txOptions().name("job " + kind));
  }

  /**
   * The result's JSON, or null for none; the job's description for an error message is built only
   * for a result there is to encode (a no-op job returns none).
   */
  private String encodeResult(Attempt a, Object result) {
    return result == null ? null : json.encodeResult(describeJob(a), result);
  }

  /** One batch of plain handlers' completions in one unit; see {@link Completions}. */
  Set<String> completeBatch(List<Completions.Request> requests) {
    Object[] arrays = Completions.arrays(requests);
    return config
        .db()
        .inTx(
            batchOptions,
            tx -> {
              Set<String> completed = new HashSet<>();
              for (Rows.Completed c :
                  LookupPlans.query(
                      tx,
                      sql,
                      sql.completeBatch,
                      Rows.Completed::read,
                      now.param(),
                      arrays[0],
                      arrays[1],
                      arrays[2])) {
                if (completed.isEmpty()) {
                  TransactionIds.known(tx, c.xact()); // every row carries the same id
                }
                completed.add(c.token());
                if (c.awaited()) {
                  notifier.jobEnded(tx, c.id());
                }
              }
              return completed;
            });
  }

  private static LeaseLostException leaseLost(Attempt a) {
    return new LeaseLostException(
        a.id,
        "cannot complete "
            + a
            + ": the attempt no longer holds the job's lease"
            + " (it expired and the job was rescued, or shutdown gave it up); its writes are rolled back");
  }

  /**
   * Cancel was requested before the attempt started (while it waited for a slot, or for its group's
   * lock); the job ends cancelled.
   */
  static final class CancelledBeforeStart extends RuntimeException {
    CancelledBeforeStart(Attempt a) {
      super(
          "cancel was requested for "
              + a
              + (a.group == null ? "" : " of group '" + a.group + "'")
              + " before it started; it ends cancelled",
          null,
          false,
          false);
    }

    /**
     * The message alone: it is stored as the job's error and logged, where an internal class name
     * would only puzzle an operator who asked for the cancel.
     */
    @Override
    public String toString() {
      return getMessage();
    }
  }

  private Object args(Kind kind, Attempt a) {
    try {
      return json.decodeArgs(kind, a.argsJson);
    } catch (JsonProcessingException e) {
      throw new NonRetryableJobException(
          "args of job kind '"
              + a.kind
              + "' cannot be read as "
              + kind.argsType().getName()
              + ": "
              + Bounded.message(e.getOriginalMessage()),
          e);
    }
  }

  /**
   * The completion in the handler's own unit. Without the plan settings (LookupPlans): they would
   * last until the unit's COMMIT, where the user's deferred triggers run, and a PL/pgSQL function
   * planned there keeps its plan for the session.
   */
  private void complete(Tx tx, Attempt a, Object result, String resultJson) {
    Optional<Boolean> awaited;
    try {
      awaited =
          tx.queryOne(
              sql.complete,
              rs -> {
                TransactionIds.known(tx, rs.getString("xact"));
                return rs.getBoolean("awaited");
              },
              now.param(),
              resultJson,
              a.id,
              a.token);
    } catch (StatementException e) {
      throw refusedResult(e, a, result);
    }
    if (awaited.isEmpty()) {
      throw leaseLost(a);
    }
    if (awaited.get()) {
      notifier.jobEnded(tx, a.id);
    }
  }

  /**
   * What a failed completion statement throws: a data exception (SQLSTATE class 22) refused the
   * only value of the completion that can be refused, its result (jsonb limits); anything else as
   * it came.
   */
  private static RuntimeException refusedResult(StatementException e, Attempt a, Object result) {
    if (e.sqlState() == null || !e.sqlState().startsWith(DATA_EXCEPTION)) {
      return e;
    }
    return JsonCodec.resultNotStored(
        describeJob(a),
        result,
        "PostgreSQL refused it (SQLSTATE " + e.sqlState() + "): " + Bounded.message(e.getMessage()),
        e);
  }

  private static String describeJob(Attempt a) {
    return "job " + a.id + " (kind '" + a.kind + "')";
  }
}
