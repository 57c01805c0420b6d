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
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runtime behind {@code JobQueue}: enqueue, call, cancel, reads and migrations at any time, and
 * the worker side (fetchers, attempts, heartbeats, the control connection, maintenance) once
 * started. Thread-safe.
 */
public final class QueueEngine {
  private enum Phase {
    NEW,
    STARTED,
    STOPPED
  }

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
  private final Map<String, List<Fetcher>> fetchers = new LinkedHashMap<>();
  private final Waiters waiters = new Waiters();
  private volatile boolean callsAtCallerLevel;
  private Phase phase = Phase.NEW;
  private int housekeepingLevel;
  private Heartbeat heartbeat;
  private ControlConnection control;
  private volatile Maintenance maintenance;

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
    return canceller().cancel(id);
  }

  /** Cancels a group's pending jobs and waits up to {@code wait} for its running attempts. */
  public CancelResult cancelGroup(String group, Duration wait) {
    Checks.notBlank("group", group);
    Checks.notNegative("wait of cancelGroup('" + group + "')", wait);
    return canceller().cancelGroup(group, wait);
  }

  private Canceller canceller() {
    return new Canceller(config, sql, now, running, waiters);
  }

  /**
   * Checks the schema is migrated, then starts fetchers for the configured queues, the heartbeat,
   * the control connection and maintenance.
   *
   * <p>The heartbeat, maintenance and the give-ups at shutdown run at the <em>housekeeping
   * level</em>: one above the highest run level when the database has such a level, else the
   * highest run level. No attempt of this queue, and no caller of {@code call} waiting for one,
   * ever holds a connection of that level, so exhausted run-level pools can delay neither lease
   * extension nor rescue and promotion.
   *
   * @throws IllegalStateException if the schema lacks migrations, or the database cannot open units
   *     at every run level (its {@code maxLevels} is at most {@code runLevels - 1})
   */
  public synchronized void start() {
    requireStartable();
    housekeepingLevel = housekeepingLevel();
    new Migrator(config.db(), sql).requireCurrent();
    phase = Phase.STARTED;
    AttemptRunner runner =
        new AttemptRunner(config, sql, json, now, events, waiters, this::nudgeMaintenance);
    GiveUp lostClaims = new GiveUp(config, sql, now, events, waiters);
    for (String q : config.queues().keySet()) {
      List<Fetcher> perLevel = new ArrayList<>();
      for (int level = 0; level < config.runLevels(); level++) {
        perLevel.add(new Fetcher(config, sql, now, q, level, running, runner, lostClaims));
      }
      fetchers.put(q, List.copyOf(perLevel));
    }
    Map<String, List<Fetcher>> started = Map.copyOf(fetchers);
    announcer.wakeLocally(w -> wake(started, w));
    heartbeat = new Heartbeat(config, sql, now, running, housekeepingLevel);
    control =
        new ControlConnection(
            config, sql, started, waiters, sender, this::nudgeMaintenance, announcer::listening);
    maintenance =
        new Maintenance(config, sql, now, control, events, waiters, housekeepingLevel, scheduler);
    heartbeat.start();
    control.start();
    maintenance.start();
    fetchers.values().forEach(fs -> fs.forEach(Fetcher::start));
  }

  /** Throws unless this queue has a queue to work and was never started. */
  private void requireStartable() {
    if (config.queues().isEmpty()) {
      throw new IllegalStateException(
          "start() needs at least one queue to work: add queue(name, concurrency)"
              + " to the builder (a queue that only enqueues needs no start())");
    }
    if (phase != Phase.NEW) {
      throw new IllegalStateException(
          "the queue was already " + phase.name().toLowerCase() + "; start() runs once");
    }
  }

  /** Wakes the fetcher(s) of this process that {@code wake} names. */
  static void wake(Map<String, List<Fetcher>> fetchers, Wake wake) {
    List<Fetcher> perLevel = fetchers.getOrDefault(wake.queue(), List.of());
    for (int level = 0; level < perLevel.size(); level++) {
      if (wake.wakes(level)) {
        perLevel.get(level).wake.raise();
      }
    }
  }

  /** Jobs became scheduled or retryable here: a started maintenance loop learns their run-at. */
  private void nudgeMaintenance() {
    Maintenance m = maintenance;
    if (m != null) {
      m.nudge();
    }
  }

  private int housekeepingLevel() {
    int top = config.runLevels() - 1;
    int maxLevels = config.db().maxLevels();
    if (top >= maxLevels) {
      throw new IllegalStateException(
          "runLevels("
              + config.runLevels()
              + ") makes this queue claim and run jobs at"
              + " levels 0 to "
              + top
              + ", but "
              + config.db()
              + " has maxLevels "
              + maxLevels
              + " (levels 0 to "
              + (maxLevels - 1)
              + "): lower JobQueue.Builder#runLevels, or raise Database.Builder#maxLevels above "
              + top);
    }
    return top + 1 < maxLevels ? top + 1 : top;
  }

  /**
   * Stops fetching, waits up to {@code timeout} for running attempts, gives the leases of those
   * still running back to the queue (and interrupts them), then stops heartbeat, maintenance and
   * the control connection. Returns whether every attempt finished in time. Its own steps end
   * within {@link Stopping#GRACE} past the timeout (a thread still waiting for a database that went
   * away is interrupted).
   */
  public boolean stop(Duration timeout) {
    Checks.notNegative("timeout", timeout);
    try {
      return stopNow(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TxException("interrupted while stopping the queue", e);
    }
  }

  private synchronized boolean stopNow(Duration timeout) throws InterruptedException {
    if (phase != Phase.STARTED) {
      phase = Phase.STOPPED;
      return true;
    }
    phase = Phase.STOPPED;
    long deadline = System.nanoTime() + Durations.nanos(timeout);
    // stop's own steps end by this, even when the database went away meanwhile (a unit waiting for
    // a connection would wait the pool's connection timeout, once per retry): see Stopping
    long end = deadline + Durations.nanos(Stopping.GRACE);
    stopFetchers(end);
    // prefetched attempts that never started go back to the queue at once, not counted
    List<Attempt> unstarted = new ArrayList<>();
    fetchers.values().forEach(fs -> fs.forEach(f -> unstarted.addAll(f.unstarted())));
    if (!unstarted.isEmpty()) {
      giveUp(unstarted, end);
    }
    boolean finished = running.awaitEmpty(deadline);
    if (!finished) {
      giveUp(running.snapshot(), end);
    }
    heartbeat.stop(end);
    maintenance.stop(end);
    control.stop(end);
    return finished;
  }

  /**
   * Hands the leases of {@code attempts} back (see {@link GiveUp}), on a thread of its own at the
   * housekeeping level: never in a unit of the thread calling stop(), and never waiting for a
   * connection of a pool the attempts being given up hold.
   */
  private void giveUp(List<Attempt> attempts, long end) throws InterruptedException {
    GiveUp giveUp = new GiveUp(config, sql, now, events, waiters);
    Thread giving =
        Thread.ofVirtual()
            .name("txguard-queue-give-up")
            .start(() -> Levels.run(config.db(), housekeepingLevel, () -> giveUp.all(attempts)));
    Stopping.join(giving, end);
  }

  private void stopFetchers(long end) throws InterruptedException {
    for (List<Fetcher> fs : fetchers.values()) {
      for (Fetcher f : fs) {
        f.stop(end);
      }
    }
  }

  /**
   * Simulates the death of this process for tests: every loop ends and the control connection is
   * aborted, but running attempts are neither waited for nor given up, and their leases stay as
   * they are until they expire.
   */
  public synchronized void abandon() throws InterruptedException {
    if (phase != Phase.STARTED) {
      return;
    }
    phase = Phase.STOPPED;
    control.kill();
    heartbeat.stop();
    maintenance.stop();
    for (List<Fetcher> fs : fetchers.values()) {
      for (Fetcher f : fs) {
        f.stop();
      }
    }
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
    ControlConnection c = control;
    return c != null && c.isLeader();
  }

  /** The job's current row. */
  public Optional<Job> find(long id) {
    return reads.find(id);
  }

  /** Counts per queue and state. */
  public QueueStats stats() {
    return reads.stats();
  }
}
