package dev.txguard.queue.internal;

import java.nio.charset.StandardCharsets;
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
 * Announces jobs enqueued by the users' units, after those units committed, outside them. A {@code
 * pg_notify} in the enqueuing unit would make its commit wait for every other notifying commit of
 * the cluster: PostgreSQL takes one cluster-wide lock from the notifying commit's pre-commit step
 * until its commit record is flushed ({@code PreCommit_Notify} in {@code
 * src/backend/commands/async.c}; "Transactions that have executed NOTIFY are serialized at commit",
 * PostgreSQL documentation, NOTIFY). So the producer registers {@link #jobsAvailable} as an
 * after-commit action instead: it wakes this process's fetcher of the job's queue and run level at
 * once, and hands the pair to a background thread that sends one coalesced NOTIFY per queue and
 * level (all announced meanwhile in one statement and one short unit of its own) for the other
 * processes. Each payload carries this process's sender token ({@link Wake}), so its own control
 * connection ignores it: the fetcher was woken already. A unit that rolls back announces nothing.
 * Announcements that arrive while a NOTIFY commits, or within {@link #INTERVAL_NANOS} of the
 * previous one's start, are sent together by the next one; a failed send is logged and dropped (the
 * workers' poll is the fallback). The thread starts on demand and ends after {@link #IDLE_MS}
 * without work. Thread-safe.
 *
 * <p>No unit at all is spent when no other process listens: before sending, the thread asks the
 * server how many sessions of this database are named as another process's control connection of
 * this schema ({@code listeners.sql}; a control connection is named before it LISTENs), and keeps
 * the answer for {@link #PROBE_NANOS}. A single process that works its own queue, or processes that
 * only enqueue while no worker runs, then pay no NOTIFY (each one a commit of its own, serialised
 * with every other notifying commit of the cluster). A process that starts listening within that
 * time after an answer of "none" claims what is available when it connects, and what is enqueued
 * until the answer is renewed at its next poll or at the next announcement after that (which wakes
 * it for every available job of the queue, not only the new ones). A probe that fails counts as
 * "someone listens". When the NOTIFY is sent, its unit commits asynchronously ({@code
 * announce.sql}, whose one statement also sets the commit mode): it writes nothing a crash could
 * lose but the notifications themselves, and the cluster-wide lock of notifying commits is then
 * held for the commit, not for its WAL flush.
 */
final class Announcer {
  /** How long the sending thread waits for more work before it ends. */
  static final long IDLE_MS = 1_000;

  /** The shortest time from one NOTIFY to the next: at most one per queue per 5 ms. */
  static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  /** How long an answer of {@code listeners.sql} is used before the server is asked again. */
  static final long PROBE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** PostgreSQL keeps at most NAMEDATALEN - 1 bytes of an application_name. */
  private static final int MAX_NAME_BYTES = 63;

  private final QueueConfig config;
  private final Sql sql;
  private final String sender;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition drained = lock.newCondition();
  private final Set<Wake> pending = new LinkedHashSet<>();
  private boolean sending;

  /** Whether the sending thread holds wakes taken from {@link #pending} and not yet sent. */
  private boolean inFlight;

  private volatile Consumer<Wake> local = w -> {};

  /** The backend pid of this process's control connection (0: none yet), left out of probes. */
  private volatile int ownListener;

  /** The last probe's answer and when it was taken; read and written by the sending thread only. */
  private boolean othersListen;

  private long probedAt;
  private boolean probed;

  /**
   * @param sender this process's token in the payloads, which its control connection ignores
   */
  Announcer(QueueConfig config, Sql sql, String sender) {
    this.config = config;
    this.sql = sql;
    this.sender = sender;
  }

  /** Sets what wakes this process's fetcher of a queue and level (once the queue is started). */
  void wakeLocally(Consumer<Wake> wake) {
    local = wake;
  }

  /**
   * This process's control connection now listens in the session of backend {@code pid}: it is not
   * another process. Called by the connection's thread after each (re)connect.
   */
  void listening(int pid) {
    ownListener = pid;
  }

  /**
   * Jobs of run level {@code level} became available in {@code queue}: wakes the local fetcher now,
   * the other processes soon.
   */
  void jobsAvailable(String queue, int level) {
    Wake wake = new Wake(queue, level, sender);
    local.accept(wake);
    lock.lock();
    try {
      pending.add(wake);
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
    for (List<Wake> wakes = next(); !wakes.isEmpty(); wakes = next()) {
      long started = System.nanoTime();
      send(wakes);
      long left = INTERVAL_NANOS - (System.nanoTime() - started);
      if (left > 0) {
        // what is enqueued meanwhile goes in the next NOTIFY: at most one per queue per interval
        LockSupport.parkNanos(left);
      }
    }
  }

  /**
   * One NOTIFY per wake, in one statement and one unit of two round trips (announce.sql), if
   * another process listens.
   */
  private void send(List<Wake> wakes) {
    String[] payloads = wakes.stream().map(Wake::payload).toArray(String[]::new);
    if (config.db().isClosed()) {
      dropped(payloads);
      return;
    }
    try {
      if (!othersListen()) {
        return;
      }
      config
          .db()
          .inTx(
              config.txOptions().name("announce jobs"),
              tx -> tx.queryOne(sql.announce, rs -> rs.getLong(1), sql.channel, payloads));
    } catch (RuntimeException | Error e) {
      if (config.db().isClosed()) { // closed while sending: shutting down is not a fault
        dropped(payloads);
        return;
      }
      Events.LOG.warn(
          "cannot announce new jobs ({}) to other processes; they find them at their next poll",
          String.join(", ", payloads),
          e);
    }
  }

  /**
   * Whether a session of another process listens (see the class comment), from an answer at most
   * {@link #PROBE_NANOS} old. Called by the sending thread only.
   */
  private boolean othersListen() {
    long now = System.nanoTime();
    if (probed && now - probedAt < PROBE_NANOS) {
      return othersListen;
    }
    long others;
    try {
      others =
          config
              .db()
              .inTx(
                  config.txOptions().readOnly(true).name("find listening processes"),
                  tx ->
                      tx.queryOne(sql.listeners, rs -> rs.getLong(1), sessionPrefix(), ownListener)
                          .orElse(1L));
    } catch (RuntimeException e) {
      Events.LOG.debug(
          "cannot tell whether other processes listen on queue schema {}; announcing",
          sql.schema,
          e);
      others = 1;
    }
    othersListen = others > 0;
    probedAt = now;
    probed = true;
    return othersListen;
  }

  /**
   * The start every control connection's application_name of this schema has (AdminViews), cut to
   * what the server keeps of a name (63 bytes): a longer prefix would match no session at all.
   */
  private String sessionPrefix() {
    String prefix = AdminViews.sessionName(sql.schema, "");
    int end = prefix.length();
    while (prefix.substring(0, end).getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      end = prefix.offsetByCodePoints(end, -1);
    }
    return prefix.substring(0, end);
  }

  private static void dropped(String[] payloads) {
    Events.LOG.debug(
        "the database is closed: jobs announced for {} are left to the other processes' polls",
        String.join(", ", payloads));
  }

  /**
   * Waits until every announcement made so far is sent (or dropped), until {@code deadline} (a
   * {@link System#nanoTime()} value) at the latest: a process that enqueues and then stops would
   * otherwise end before the NOTIFY that wakes the other processes, which then find its jobs only
   * at their next poll (newcomer review, session 17: 5.5 s). Called by the queue's stop.
   *
   * @return whether nothing is left to send
   * @throws InterruptedException if interrupted while waiting
   */
  boolean flush(long deadline) throws InterruptedException {
    lock.lock();
    try {
      long nanos = deadline - System.nanoTime();
      // without a sending thread (interrupted) nothing pending would be sent
      while (sending && (inFlight || !pending.isEmpty()) && nanos > 0) {
        nanos = drained.awaitNanos(nanos);
      }
      return !inFlight && pending.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The wakes to announce next, waiting up to {@link #IDLE_MS}; empty (and the thread ends) if
   * none. The wakes taken before are sent by now.
   */
  private List<Wake> next() {
    lock.lock();
    try {
      inFlight = false;
      if (pending.isEmpty()) {
        drained.signalAll();
      }
      long nanos = TimeUnit.MILLISECONDS.toNanos(IDLE_MS);
      while (pending.isEmpty() && nanos > 0) {
        nanos = work.awaitNanos(nanos);
      }
      List<Wake> wakes = new ArrayList<>(pending);
      pending.clear();
      sending = !wakes.isEmpty();
      inFlight = sending;
      return wakes;
    } catch (InterruptedException e) {
      sending = false;
      drained.signalAll(); // what is pending is left to the other processes' polls
      return List.of();
    } finally {
      lock.unlock();
    }
  }
}
