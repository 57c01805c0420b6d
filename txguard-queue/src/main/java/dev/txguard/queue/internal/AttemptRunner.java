package dev.txguard.queue.internal;

import dev.txguard.internal.Failures;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.txguard.Database;
import dev.txguard.StatementException;
import dev.txguard.Tx;
import dev.txguard.TxOptions;
import dev.txguard.queue.JobContext;
import dev.txguard.queue.JobHandler;
import dev.txguard.queue.JobState;
import dev.txguard.queue.LeaseLostException;
import dev.txguard.queue.NonRetryableJobException;
import dev.txguard.queue.TransactionalHandler;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

/**
 * Runs one attempt on the calling (virtual) thread and records its outcome. A transactional
 * handler's unit also completes the job, so its writes and the completion commit together; a plain
 * handler's job completes in a unit of its own after the handler returned. Every recording statement
 * matches on the attempt token: an attempt that lost its lease records nothing.
 */
final class AttemptRunner {
  private static final int TRACE_FRAMES = 20;
  /** SQLSTATE class 22: a value the database cannot store (bad jsonb, numeric overflow, ...). */
  private static final String DATA_EXCEPTION = "22";
  private final QueueConfig config;
  private final Sql sql;
  private final JsonCodec json;
  private final Now now;
  private final Backoff backoff;
  private final Events events;
  private final Waiters waiters;

  AttemptRunner(QueueConfig config, Sql sql, JsonCodec json, Now now, Events events, Waiters waiters) {
    this.config = config;
    this.sql = sql;
    this.json = json;
    this.now = now;
    this.backoff = new Backoff(config.backoffInitial(), config.backoffMax());
    this.events = events;
    this.waiters = waiters;
  }

  void run(Attempt a) {
    events.fire(l -> l.onFetched(a.event()));
    try {
      execute(a);
      Duration elapsed = Duration.ofNanos(System.nanoTime() - a.startedNanos);
      events.fire(l -> l.onCompleted(a.event(), elapsed));
    } catch (LeaseLostException e) {
      leaseLost(a, e);
    } catch (Throwable t) {
      if (t instanceof VirtualMachineError) {
        Events.LOG.error("{} failed with a VM error; its lease will expire and maintenance rescues it", a, t);
        throw (VirtualMachineError) t;
      }
      if (a.leaseLost) {
        // shutdown gave the lease up (or tried to) or a heartbeat found it gone, and interrupted the
        // handler: what it threw is not a failure of the job, and recording it would count an attempt
        // the queue took away (when give-up failed, the lease expires and rescue decides instead)
        LeaseLostException lost = new LeaseLostException(a.id, "not recording the failure of " + a + " ("
            + describe(t) + "): the attempt no longer holds the job's lease (shutdown gave it up, or it expired)");
        lost.addSuppressed(t);
        leaseLost(a, lost);
      } else {
        recordFailure(a, t);
      }
    } finally {
      // a caller in this process reads the outcome now (the job may have been marked awaited by a
      // call(...) with its unique key while it ran, so this does not trust the claim's flag)
      waiters.ended(a.id);
    }
  }

  @SuppressWarnings("unchecked")
  private void execute(Attempt a) throws Exception {
    Kind kind = config.kinds().byName(a.kind);
    JobContext<Object> ctx = new JobContext<>(a.id, a.kind, a.queue, a.number, a.maxAttempts, a.createdAt,
        args(kind, a), () -> a.cancelRequested);
    Database db = config.db();
    TxOptions options = config.txOptions().name("job " + a.kind);
    if (kind.txHandler() != null) {
      TransactionalHandler<Object> handler = (TransactionalHandler<Object>) kind.txHandler();
      db.useTx(options, tx -> {
        enterGroup(tx, a);
        Object result = handler.handle(tx, ctx);
        complete(tx, a, result, json.encodeResult(describeJob(a), result));
      });
    } else {
      JobHandler<Object> handler = (JobHandler<Object>) kind.handler();
      Object result = a.group == null ? handler.handle(ctx) : holdingGroupLock(a, () -> handler.handle(ctx));
      String resultJson = json.encodeResult(describeJob(a), result);
      db.useTx(options, tx -> complete(tx, a, result, resultJson));
    }
  }

  /**
   * For a job of a group: takes the group's shared advisory lock for the rest of {@code tx}, so that
   * {@code cancelGroup} (which takes it exclusively) waits for this attempt, then checks that cancel
   * was not requested before the lock was taken; if it was, the attempt stops before its handler.
   */
  private void enterGroup(Tx tx, Attempt a) {
    if (a.group == null) {
      return;
    }
    tx.queryOne("select pg_advisory_xact_lock_shared(?, hashtext(?))::text", rs -> rs.getString(1),
        LockKeys.GROUP, LockKeys.group(sql.schema, a.group));
    boolean cancelled = tx.queryOne(sql.cancelCheck, rs -> rs.getBoolean(1), a.id, a.token.toString()).orElse(false);
    if (cancelled) {
      a.cancelRequested = true;
      throw new CancelledBeforeStart(a);
    }
  }

  /**
   * Runs a plain handler of a grouped job outside any transaction while a helper thread holds the
   * group's shared lock in a unit of its own (at the attempt's level) until the handler ends.
   */
  private Object holdingGroupLock(Attempt a, Callable<Object> handler) throws Exception {
    Database db = config.db();
    CompletableFuture<Void> held = new CompletableFuture<>();
    CountDownLatch done = new CountDownLatch(1);
    Thread holder = Thread.ofVirtual().name("txguard-group-lock-" + a.id).start(() -> {
      try {
        Levels.call(db, a.level, () -> {
          db.useTx(config.txOptions().name("group lock of job " + a.id), tx -> {
            enterGroup(tx, a);
            held.complete(null);
            done.await();
          });
          return null;
        });
      } catch (Throwable t) {
        held.completeExceptionally(t);
      }
    });
    try {
      held.get();
      return handler.call();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception x ? x : e;
    } finally {
      done.countDown();
      holder.join();
    }
  }

  /** Cancel was requested before the attempt took its group's lock; the job ends cancelled. */
  static final class CancelledBeforeStart extends RuntimeException {
    CancelledBeforeStart(Attempt a) {
      super("cancel was requested for " + a + " of group '" + a.group + "' before it started; it ends cancelled",
          null, false, false);
    }
  }

  private Object args(Kind kind, Attempt a) {
    try {
      return json.decodeArgs(kind, a.argsJson);
    } catch (JsonProcessingException e) {
      throw new NonRetryableJobException("args of job kind '" + a.kind + "' cannot be read as "
          + kind.argsType().getName() + ": " + e.getOriginalMessage(), e);
    }
  }

  private void complete(Tx tx, Attempt a, Object result, String resultJson) {
    Optional<Boolean> awaited;
    try {
      awaited = tx.queryOne(sql.complete, rs -> rs.getBoolean(1), now.param(), resultJson, a.id, a.token.toString());
    } catch (StatementException e) {
      if (e.sqlState() != null && e.sqlState().startsWith(DATA_EXCEPTION)) {
        // the only value of the completion that can be refused is the result (jsonb limits)
        throw JsonCodec.resultNotStored(describeJob(a), result, "PostgreSQL refused it (SQLSTATE " + e.sqlState()
            + "): " + e.getMessage(), e);
      }
      throw e;
    }
    if (awaited.isEmpty()) {
      throw new LeaseLostException(a.id, "cannot complete " + a + ": the attempt no longer holds the job's lease"
          + " (it expired and the job was rescued, or shutdown gave it up); its writes are rolled back");
    }
    if (awaited.get()) {
      announce(tx, a.id);
    }
  }

  private static String describeJob(Attempt a) {
    return "job " + a.id + " (kind '" + a.kind + "')";
  }

  /** Tells waiting callers in every process, at commit, that the job ended. */
  private void announce(Tx tx, long id) {
    tx.queryOne("select pg_notify(?, ?)::text", rs -> rs.getString(1), sql.doneChannel, Long.toString(id));
  }

  private void recordFailure(Attempt a, Throwable error) {
    boolean discard = nonRetryable(error);
    long delay = backoff.delayMillis(a.number);
    Optional<Object[]> outcome;
    try {
      outcome = config.db().inTx(config.txOptions().name("job failure"), tx -> {
        Optional<Object[]> row = tx.queryOne(sql.recordFailure,
            rs -> new Object[] {JobState.fromSql(rs.getString(1)), rs.getObject(2, java.time.OffsetDateTime.class),
                rs.getBoolean(3)},
            now.param(), discard, delay, a.id, a.token.toString(), describe(error), trace(error));
        if (row.isPresent() && ((JobState) row.get()[0]).isFinal() && (Boolean) row.get()[2]) {
          announce(tx, a.id);
        }
        return row;
      });
    } catch (RuntimeException e) {
      e.addSuppressed(error);
      Events.LOG.error("cannot record the failure of {}; its lease will expire and maintenance rescues it", a, e);
      return;
    }
    if (outcome.isEmpty()) {
      leaseLost(a, new LeaseLostException(a.id, "cannot record the failure of " + a + " (" + describe(error)
          + "): the attempt no longer holds the job's lease"));
      return;
    }
    JobState state = (JobState) outcome.get()[0];
    if (state.isFinal()) {
      Events.LOG.warn("{} ended as {}: {}", a, state, describe(error));
      events.fire(l -> l.onFailed(a.event(), error, state));
    } else {
      Instant next = ((java.time.OffsetDateTime) outcome.get()[1]).toInstant();
      events.fire(l -> l.onRetried(a.event(), error, next));
    }
  }

  private void leaseLost(Attempt a, LeaseLostException e) {
    Events.LOG.warn(e.getMessage());
    events.fire(l -> l.onLeaseLost(a.event(), e));
  }

  private static boolean nonRetryable(Throwable error) {
    for (Throwable t : Failures.causes(error)) {
      if (t instanceof NonRetryableJobException) {
        return true;
      }
    }
    return false;
  }

  static String describe(Throwable error) {
    return storable(error.toString());
  }

  private static String trace(Throwable error) {
    StringWriter out = new StringWriter();
    error.printStackTrace(new PrintWriter(out));
    return storable(out.toString().lines().limit(TRACE_FRAMES).reduce((x, y) -> x + "\n" + y).orElse(""));
  }

  /**
   * The text with every U+0000 replaced by U+FFFD: PostgreSQL cannot store NUL in text, and an error
   * message holding one (from a handler's exception) would make the failure unrecordable.
   */
  private static String storable(String text) {
    return text.replace('\0', '\uFFFD');
  }
}
