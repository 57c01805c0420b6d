package dev.txguard.queue.internal;

import dev.txguard.Tx;
import dev.txguard.TxException;
import dev.txguard.queue.CancelResult;
import dev.txguard.queue.EnqueueOptions;
import dev.txguard.queue.Enqueued;
import dev.txguard.queue.Job;
import dev.txguard.queue.QueueStats;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The runtime behind {@code JobQueue}: enqueue, call, cancel, reads and migrations at any time, and
 * the worker side (fetchers, attempts, heartbeats, the control connection, maintenance: {@link
 * Workers}) once started. Thread-safe.
 */
public final class QueueEngine {
  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final JsonCodec json;

  /** This process's token in its announcements, which its own control connection ignores. */
  private final String sender = Long.toHexString(new SecureRandom().nextLong());

  private final Announcer announcer;
  private final Producer producer;
  private final Events events;
  private final Scheduler scheduler;
  private final Reads reads;
  private final Running running = new Running();
  private final Waiters waiters = new Waiters();
  private final Workers workers;
  private volatile boolean callsAtCallerLevel;

  /** Prepares the engine; connects nothing and starts no thread. */
  public QueueEngine(QueueConfig config) {
    this.config = config;
    this.sql = new Sql(config.schema());
    this.now = new Now(config.clock());
    this.json = new JsonCodec(config.mapper());
    this.announcer = new Announcer(config, sql, sender);
    this.producer = new Producer(sql, config.kinds(), json, now, announcer, this::nudgeMaintenance);
    this.events = new Events(config.listener());
    this.scheduler = new Scheduler(config, sql, now, producer);
    this.reads = new Reads(config, sql, json);
    this.workers =
        new Workers(config, sql, now, json, events, waiters, running, announcer, scheduler, sender);
    checkSchedules();
  }

  /**
   * Checks the constant arguments of every schedule now, as enqueue would (registered kind, JSON
   * round trip), so that a bad schedule fails at build time rather than in the leader's loop.
   */
  private void checkSchedules() {
    for (Periodic p : config.schedules()) {
      if (p.constantArgs() != null) {
        try {
          json.encodeArgs(config.kinds().forArgs(p.constantArgs()), p.constantArgs());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("schedule '" + p.name() + "': " + e.getMessage(), e);
        }
      }
    }
  }

  /** The operators' view and actions. */
  public Admin admin() {
    return new Admin(config, sql, now, this);
  }

  /** Applies missing migrations; returns the versions applied. */
  public List<Integer> migrate() {
    return new Migrator(config.db(), sql).migrate().applied();
  }

  /** Enqueues one job in {@code tx}. */
  public Enqueued enqueue(Tx tx, Object args, EnqueueOptions options) {
    return producer.enqueue(tx, args, options);
  }

  /** Enqueues jobs sharing {@code options} in {@code tx}. */
  public List<Long> enqueueAll(Tx tx, Collection<?> args, EnqueueOptions options) {
    return producer.enqueueAll(tx, args, options);
  }

  /** Enqueues one job one level up and waits for its outcome; see {@code JobQueue.call}. */
  public <R> R call(Object args, EnqueueOptions options, Class<R> resultType, Duration timeout) {
    if (resultType == null) {
      throw new IllegalArgumentException(
          "resultType must not be null: pass Object.class for a plain JSON value");
    }
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout of call must be positive, was " + timeout);
    }
    return new Caller(config, sql, producer, json, waiters, callsAtCallerLevel)
        .call(args, options, resultType, timeout);
  }

  /** Cancels one job, or asks its running attempt to stop; false if it had already ended. */
  public boolean cancel(long id) {
    return LoopFailures.namingMigrate(sql.schema, "cancelling a job", () -> canceller().cancel(id));
  }

  /** Cancels a group's pending jobs and waits up to {@code wait} for its running attempts. */
  public CancelResult cancelGroup(String group, Duration wait) {
    Checks.notBlank("group", group);
    Checks.notNegative("wait of cancelGroup('" + group + "')", wait);
    return LoopFailures.namingMigrate(
        sql.schema, "cancelling a group", () -> canceller().cancelGroup(group, wait));
  }

  private Canceller canceller() {
    return new Canceller(config, sql, now, running, waiters);
  }

  /**
   * Starts the worker side; see {@link Workers#start()}.
   *
   * @throws IllegalStateException if no queue is configured to work, the queue was started before,
   *     the schema lacks migrations, or the database cannot open units at every run level
   */
  public void start() {
    workers.start();
  }

  /** How long stop waits for the announcements of jobs enqueued before it to be sent. */
  static final Duration FLUSH = Duration.ofSeconds(2);

  /**
   * Stops the worker side, then waits up to {@link #FLUSH} for the announcements still to be sent
   * ({@link Announcer#flush}); returns whether every attempt finished in time. See {@link
   * Workers#stop(Duration)}.
   */
  public boolean stop(Duration timeout) {
    boolean finished = workers.stop(timeout);
    try {
      announcer.flush(System.nanoTime() + Durations.nanos(FLUSH));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TxException("interrupted while stopping the queue", e);
    }
    return finished;
  }

  /** Simulates the death of this process for tests; see {@link Workers#abandon()}. */
  public void abandon() throws InterruptedException {
    workers.abandon();
  }

  /** Jobs became scheduled or retryable here: a started maintenance loop learns their run-at. */
  private void nudgeMaintenance() {
    workers.nudgeMaintenance();
  }

  /**
   * Enqueues the due instants of every schedule once now, leader or not (tests of deduplication).
   */
  public void runScheduler() {
    scheduler.runOnce();
  }

  /** Runs one maintenance round now, leader or not (tests driving an injected clock). */
  public void runMaintenance() {
    new Maintenance(config, sql, now, null, events, waiters, 0, scheduler).runOnce();
  }

  /**
   * Makes later calls run their jobs at the caller's own level: the naive design, which deadlocks a
   * caller waiting inside a unit with one connection per pool; only for the test that shows it.
   */
  public void runCallsAtCallerLevel() {
    callsAtCallerLevel = true;
  }

  /** Whether this process currently runs maintenance. */
  public boolean isLeader() {
    return workers.isLeader();
  }

  /** The job's current row. */
  public Optional<Job> find(long id) {
    return LoopFailures.namingMigrate(sql.schema, "finding a job", () -> reads.find(id));
  }

  /** Counts per queue and state. */
  public QueueStats stats() {
    return LoopFailures.namingMigrate(sql.schema, "counting jobs", reads::stats);
  }
}
