package dev.txguard.queue.internal;

import dev.txguard.TxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The worker side of a {@link QueueEngine} once started: the fetchers (one per queue and run
 * level), the heartbeat, the control connection and maintenance, and how they stop (gracefully, or
 * abandoned as if the process died). Starts once and stops once. Thread-safe: start, stop and
 * abandon are synchronized.
 */
final class Workers {
  private enum Phase {
    NEW,
    STARTED,
    STOPPED
  }

  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final JsonCodec json;
  private final Events events;
  private final Waiters waiters;
  private final Running running;
  private final Announcer announcer;
  private final Scheduler scheduler;

  /** This process's token in its announcements, which its own control connection ignores. */
  private final String sender;

  private final Map<String, List<Fetcher>> fetchers = new LinkedHashMap<>();
  private Phase phase = Phase.NEW;
  private int housekeepingLevel;
  private Heartbeat heartbeat;
  private ControlConnection control;
  private volatile Maintenance maintenance;

  /** Prepares the worker side; connects nothing and starts no thread. */
  Workers(
      QueueConfig config,
      Sql sql,
      Now now,
      JsonCodec json,
      Events events,
      Waiters waiters,
      Running running,
      Announcer announcer,
      Scheduler scheduler,
      String sender) {
    this.config = config;
    this.sql = sql;
    this.now = now;
    this.json = json;
    this.events = events;
    this.waiters = waiters;
    this.running = running;
    this.announcer = announcer;
    this.scheduler = scheduler;
    this.sender = sender;
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
  synchronized void start() {
    requireStartable();
    housekeepingLevel = housekeepingLevel();
    new Migrator(config.db(), sql).requireCurrent();
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
            config,
            sql,
            started,
            waiters,
            running,
            sender,
            this::nudgeMaintenance,
            announcer::listening);
    control.open(); // a refused login fails start() here, before anything runs
    phase = Phase.STARTED;
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
  void nudgeMaintenance() {
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
  boolean stop(Duration timeout) {
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
        Thread.ofPlatform() // not starved by handlers computing on every carrier: BackgroundLoop
            .daemon()
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
  synchronized void abandon() throws InterruptedException {
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

  /** Whether this process currently runs maintenance. */
  boolean isLeader() {
    ControlConnection c = control;
    return c != null && c.isLeader();
  }
}
