package dev.txguard.queue.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Completes the attempts of plain (non-transactional) handlers of one run level in batches: one
 * statement (complete_batch.sql) and one commit for every completion that arrived while the
 * previous batch committed (group commit, no added wait: a lone completion is committed at once).
 * No thread of its own: the attempt whose completion finds no batch under way runs the batch on its
 * own thread (at its level), and hands the next one to the first attempt still waiting. Each
 * attempt's thread waits until its own completion committed or was refused, so everything that
 * follows a completion (a group lock's release, waking callers, freeing the slot) still happens
 * after its commit. Every completion in a batch is matched on its own attempt token: an attempt
 * that lost its lease is reported {@link Outcome#LEASE_LOST} and the others complete. When the
 * batch's unit fails as a whole (a result PostgreSQL refuses, a lost connection, a row another
 * transaction held locked longer than the batch's lock timeout of a second: complete_batch.sql),
 * every attempt in it is told {@link Outcome#ALONE} and completes in a unit of its own, so its
 * error, or its wait for a locked row, is its own and not its whole run level's. Thread-safe.
 */
final class Completions {
  /** What became of one attempt's completion. */
  enum Outcome {
    COMPLETED,
    LEASE_LOST,
    ALONE,
    LEAD
  }

  /** The most completions one statement carries. */
  static final int MAX_BATCH = 256;

  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Request> pending = new ArrayDeque<>();
  private final Batch batch;
  private boolean leading;

  /**
   * {@code batch} commits one batch of requests; called on the thread of the attempt that leads it.
   */
  Completions(Batch batch) {
    this.batch = batch;
  }

  /**
   * Commits one batch (and wakes the callers awaiting its jobs): returns the attempt tokens (as
   * text) that completed. Tokens, not job id: a job may be in a batch twice (an attempt that lost
   * its lease, and the job's next attempt), and only the one holding the lease completes.
   */
  interface Batch {
    Set<String> complete(List<Request> requests);
  }

  /** One attempt's completion: the attempt and its result as JSON text (or null). */
  static final class Request {
    final Attempt attempt;
    final String resultJson;
    private final Condition done;
    private Outcome outcome;

    private Request(Attempt attempt, String resultJson, Condition done) {
      this.attempt = attempt;
      this.resultJson = resultJson;
      this.done = done;
    }
  }

  /**
   * Completes {@code a} with {@code resultJson} in the next batch and waits (uninterruptibly: a
   * batch under way always ends) until that batch committed or failed.
   */
  Outcome complete(Attempt a, String resultJson) {
    Request r;
    lock.lock();
    try {
      r = new Request(a, resultJson, lock.newCondition());
      pending.add(r);
      if (leading) {
        while (r.outcome == null) {
          r.done.awaitUninterruptibly();
        }
        if (r.outcome != Outcome.LEAD) {
          return r.outcome;
        }
        r.outcome = null;
      }
      leading = true;
    } finally {
      lock.unlock();
    }
    return lead(r);
  }

  /** Runs the batch that holds {@code own}, posts every outcome, and hands the lead on. */
  private Outcome lead(Request own) {
    List<Request> requests = take();
    Set<String> completed = null;
    try {
      completed = batch.complete(requests);
    } catch (RuntimeException | Error e) {
      // each attempt completes alone and meets its own error, if it still has one
      Events.LOG.debug(
          "a batch of {} completions failed; each completes alone", requests.size(), e);
    } finally {
      post(requests, completed);
    }
    return own.outcome;
  }

  private List<Request> take() {
    lock.lock();
    try {
      List<Request> taken = new ArrayList<>(Math.min(pending.size(), MAX_BATCH));
      while (!pending.isEmpty() && taken.size() < MAX_BATCH) {
        taken.add(pending.poll());
      }
      return taken;
    } finally {
      lock.unlock();
    }
  }

  private void post(List<Request> requests, Set<String> completed) {
    lock.lock();
    try {
      for (Request r : requests) {
        r.outcome =
            completed == null
                ? Outcome.ALONE
                : completed.contains(r.attempt.token) ? Outcome.COMPLETED : Outcome.LEASE_LOST;
        r.done.signal();
      }
      Request next = pending.peek();
      if (next == null) {
        leading = false;
      } else {
        next.outcome = Outcome.LEAD;
        next.done.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** How many completions wait for a batch (for tests that arrange batches). */
  int queued() {
    lock.lock();
    try {
      return pending.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The batch statement's parameters after {@code now}: ids, tokens and results, in request order.
   * The ids are a {@code long[]}, which the driver binds as {@code bigint[]} itself, not a {@code
   * Long[]}: a boxed id per completion for nothing.
   */
  static Object[] arrays(List<Request> requests) {
    long[] ids = new long[requests.size()];
    String[] tokens = new String[ids.length];
    String[] results = new String[ids.length];
    for (int i = 0; i < ids.length; i++) {
      Request r = requests.get(i);
      ids[i] = r.attempt.id;
      tokens[i] = r.attempt.token;
      results[i] = r.resultJson;
    }
    return new Object[] {ids, tokens, results};
  }
}
