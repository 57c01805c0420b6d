package dev.txguard.queue.internal;

import dev.txguard.StatementException;
import dev.txguard.Tx;
import dev.txguard.queue.EnqueueOptions;
import dev.txguard.queue.Enqueued;
import dev.txguard.queue.JobState;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Inserts jobs in the caller's unit. Every check runs before the first statement, so bad input
 * fails with {@link IllegalArgumentException} and leaves the caller's unit untouched. Workers are
 * woken after the caller's unit commits (an after-commit action, so a unit that rolls back wakes
 * nobody), by the {@link Announcer}: no NOTIFY is sent inside the caller's unit, whose commit would
 * then be serialised with every other notifying commit of the cluster.
 */
final class Producer {
  private final Sql sql;
  private final Kinds kinds;
  private final JsonCodec json;
  private final Now now;
  private final Announcer announcer;

  /** Run after a unit that enqueued a scheduled job commits: nudges this process's maintenance. */
  private final Runnable scheduledAdded;

  Producer(
      Sql sql, Kinds kinds, JsonCodec json, Now now, Announcer announcer, Runnable scheduledAdded) {
    this.sql = sql;
    this.kinds = kinds;
    this.json = json;
    this.now = now;
    this.announcer = announcer;
    this.scheduledAdded = scheduledAdded;
  }

  /** Inserts one job (run level 0) and announces it after {@code tx} commits. */
  Enqueued enqueue(Tx tx, Object args, EnqueueOptions options) {
    Enqueued job = insert(tx, args, options);
    if (!job.existing()) {
      announceAfterCommit(tx, job.state(), options.queue(), 0);
    }
    return job;
  }

  /**
   * Inserts one job, or finds the unfinished one holding its unique key, and announces nothing: for
   * {@code queue.call}, which moves the job to its run level first (see {@link
   * #announceAfterCommit}).
   */
  Enqueued insert(Tx tx, Object args, EnqueueOptions options) {
    requireTxAndOptions(tx, options);
    Kind kind = kinds.forArgs(args);
    String argsJson = json.encodeArgs(kind, args);
    try {
      return options.uniqueKey().isPresent()
          ? insertUnique(tx, kind, argsJson, options, options.uniqueKey().get())
          : insertPlain(tx, kind, argsJson, options);
    } catch (StatementException e) {
      throw LoopFailures.missingSchema(e, sql.schema, "enqueueing");
    }
  }

  /** A job without a unique key conflicts with nothing: a plain INSERT (see enqueue_plain.sql). */
  private Enqueued insertPlain(Tx tx, Kind kind, String argsJson, EnqueueOptions options) {
    return tx.queryOne(
            sql.enqueuePlain,
            rs -> inserted(tx, rs),
            kind.name(),
            options.queue(),
            argsJson,
            options.priority(),
            options.maxAttempts(),
            runAt(options),
            now.param(),
            options.group().orElse(null))
        .orElseThrow();
  }

  /**
   * The row an enqueue statement inserted; its transaction id goes to core's commit-outcome
   * resolution, so the caller's unit asks no more for it (see {@link TransactionIds}).
   */
  private static Enqueued inserted(Tx tx, ResultSet rs) throws SQLException {
    TransactionIds.known(tx, rs.getString("xact"));
    return Rows.enqueued(rs, false);
  }

  /** Inserts the job, or finds the unfinished one that holds {@code key}. */
  private Enqueued insertUnique(
      Tx tx, Kind kind, String argsJson, EnqueueOptions options, String key) {
    Enqueued inserted =
        tx.queryOne(
                sql.enqueue,
                rs -> inserted(tx, rs),
                kind.name(),
                options.queue(),
                argsJson,
                options.priority(),
                options.maxAttempts(),
                runAt(options),
                now.param(),
                key,
                options.group().orElse(null))
            .orElse(null);
    if (inserted != null) {
      return inserted;
    }
    // the unique key is held by an unfinished job (committed, or of a unit we waited for)
    return tx.queryOne(sql.findUnique, rs -> Rows.enqueued(rs, true), key)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "enqueue with unique key "
                        + key
                        + " conflicted but no unfinished job holds it;"
                        + " was it finished concurrently? enqueue again"));
  }

  List<Long> enqueueAll(Tx tx, Collection<?> args, EnqueueOptions options) {
    requireTxAndOptions(tx, options);
    if (args == null) {
      throw new IllegalArgumentException(
          "args must not be null: pass a collection of job arguments");
    }
    if (options.uniqueKey().isPresent()) {
      throw new IllegalArgumentException(
          "uniqueKey must not be set for enqueueAll (every job would share it), was "
              + options.uniqueKey().get()
              + "; enqueue unique jobs one by one");
    }
    List<String> kindNames = new ArrayList<>(args.size());
    List<String> argsJson = new ArrayList<>(args.size());
    encodeAll(args, kindNames, argsJson);
    if (kindNames.isEmpty()) {
      return List.of();
    }
    List<Long> ids;
    try {
      ids = insertAll(tx, kindNames, argsJson, options);
    } catch (StatementException e) {
      throw LoopFailures.missingSchema(e, sql.schema, "enqueueing");
    }
    announceAfterCommit(
        tx, options.runAt().isPresent() ? null : JobState.AVAILABLE, options.queue(), 0);
    return ids;
  }

  private List<Long> insertAll(
      Tx tx, List<String> kindNames, List<String> argsJson, EnqueueOptions options) {
    boolean[] idKnown = {false};
    return tx.query(
        sql.enqueueBatch,
        rs -> {
          if (!idKnown[0]) {
            TransactionIds.known(tx, rs.getString("xact")); // every row carries the same id
            idKnown[0] = true;
          }
          return rs.getLong("id");
        },
        kindNames.toArray(String[]::new),
        argsJson.toArray(String[]::new),
        options.queue(),
        options.priority(),
        options.maxAttempts(),
        runAt(options),
        now.param(),
        options.group().orElse(null));
  }

  /**
   * Checks and encodes every argument before anything is inserted; the first bad one is named by
   * index.
   */
  private void encodeAll(Collection<?> args, List<String> kindNames, List<String> argsJson) {
    int i = 0;
    for (Object a : args) {
      try {
        Kind kind = kinds.forArgs(a);
        argsJson.add(json.encodeArgs(kind, a));
        kindNames.add(kind.name());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("args[" + i + "]: " + e.getMessage(), e);
      }
      i++;
    }
  }

  /**
   * After {@code tx} commits: wakes the workers of {@code queue} at {@code level} when the job is
   * (or may be, state null) available; nudges maintenance when it is (or may be) scheduled.
   */
  void announceAfterCommit(Tx tx, JobState state, String queue, int level) {
    // a scheduled job is announced when maintenance promotes it; a batch with a run-at may be
    // due already, so it is announced too (a spurious wake-up costs one empty claim)
    if (state != JobState.SCHEDULED) {
      tx.afterCommit(() -> announcer.jobsAvailable(queue, level));
    }
    if (state != JobState.AVAILABLE) {
      // an idle leader sleeps until the earliest run-at it knows of: in this process, tell it
      // about the new one (other processes' jobs are seen at its next round)
      tx.afterCommit(scheduledAdded);
    }
  }

  private static OffsetDateTime runAt(EnqueueOptions options) {
    return options.runAt().map(t -> OffsetDateTime.ofInstant(t, ZoneOffset.UTC)).orElse(null);
  }

  private static void requireTxAndOptions(Tx tx, EnqueueOptions options) {
    if (tx == null) {
      throw new IllegalArgumentException(
          "tx must not be null: pass the unit the job joins, or call enqueue(args)");
    }
    if (options == null) {
      throw new IllegalArgumentException(
          "options must not be null: pass EnqueueOptions.defaults()");
    }
  }
}
