package dev.txguard.queue.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Announces jobs enqueued by the users' units, after those units committed, outside them. A
 * {@code pg_notify} in the enqueuing unit would make its commit wait for every other notifying
 * commit of the cluster: PostgreSQL takes one cluster-wide lock from the notifying commit's
 * pre-commit step until its commit record is flushed ({@code PreCommit_Notify} in
 * {@code src/backend/commands/async.c}; "Transactions that have executed NOTIFY are serialized at
 * commit", PostgreSQL documentation, NOTIFY). So the producer registers {@link #jobsAvailable} as
 * an after-commit action instead: it wakes this process's own fetchers of the queue at once, and
 * hands the queue to a background thread that sends one coalesced NOTIFY per queue (all queues
 * announced meanwhile in one statement and one short unit of its own) for the other processes. A
 * unit that rolls back announces nothing. Announcements that arrive while a NOTIFY commits, or
 * within {@link #INTERVAL_NANOS} of the previous one's start, are sent together by the next one; a failed send is logged and dropped (the workers' poll interval
 * is the fallback). The thread starts on demand and ends after {@link #IDLE_MS} without work.
 * Thread-safe.
 */
final class Announcer {
  /** How long the sending thread waits for more work before it ends. */
  static final long IDLE_MS = 1_000;
  /** The shortest time from one NOTIFY to the next: at most one per queue per 5 ms. */
  static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private final QueueConfig config;
  private final Sql sql;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Set<String> pending = new LinkedHashSet<>();
  private boolean sending;
  private volatile Consumer<String> local = q -> { };

  Announcer(QueueConfig config, Sql sql) {
    this.config = config;
    this.sql = sql;
  }

  /** Sets what wakes this process's fetchers of a queue (once the queue is started). */
  void wakeLocally(Consumer<String> wake) {
    local = wake;
  }

  /** Jobs became available in {@code queue}: wakes the local fetchers now, the other processes soon. */
  void jobsAvailable(String queue) {
    local.accept(queue);
    lock.lock();
    try {
      pending.add(queue);
      if (sending) {
        work.signal();
      } else {
        sending = true;
        Thread.ofVirtual().name("txguard-queue-announce-" + sql.schema).start(this::sendLoop);
      }
    } finally {
      lock.unlock();
    }
  }

  private void sendLoop() {
    for (List<String> queues = next(); !queues.isEmpty(); queues = next()) {
      long started = System.nanoTime();
      send(queues.toArray(String[]::new));
      long left = INTERVAL_NANOS - (System.nanoTime() - started);
      if (left > 0) {
        // what is enqueued meanwhile goes in the next NOTIFY: at most one per queue per interval
        LockSupport.parkNanos(left);
      }
    }
  }

  /** One NOTIFY per queue, in one statement and one unit. */
  private void send(String[] queues) {
    try {
      config.db().inTx(config.txOptions().name("announce jobs"),
          tx -> tx.queryOne(sql.notifyQueues, rs -> rs.getLong(1), sql.channel, queues));
    } catch (RuntimeException | Error e) {
      Events.LOG.warn("cannot announce new jobs of queue(s) {} to other processes; they find them at their next"
          + " poll", String.join(", ", queues), e);
    }
  }

  /** The queues to announce next, waiting up to {@link #IDLE_MS}; empty (and the thread ends) if none. */
  private List<String> next() {
    lock.lock();
    try {
      long nanos = TimeUnit.MILLISECONDS.toNanos(IDLE_MS);
      while (pending.isEmpty() && nanos > 0) {
        nanos = work.awaitNanos(nanos);
      }
      List<String> queues = new ArrayList<>(pending);
      pending.clear();
      sending = !queues.isEmpty();
      return queues;
    } catch (InterruptedException e) {
      sending = false;
      return List.of();
    } finally {
      lock.unlock();
    }
  }
}
