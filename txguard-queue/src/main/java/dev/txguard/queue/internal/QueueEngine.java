package dev.txguard.queue.internal;

import dev.txguard.Tx;
import dev.txguard.queue.CancelResult;
import dev.txguard.queue.EnqueueOptions;
import dev.txguard.queue.Enqueued;
import dev.txguard.queue.Job;
import dev.txguard.queue.JobState;
import dev.txguard.queue.QueueStats;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;

/**
 * The runtime behind {@code JobQueue}: enqueue, migrations, and the worker side (fetchers, attempts,
 * heartbeats, the control connection, maintenance) once started. Thread-safe.
 */
public final class QueueEngine {
  private enum Phase { NEW, STARTED, STOPPED }

  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final JsonCodec json;
  private final Producer producer;
  private final Events events;
  private final Scheduler scheduler;
  private final Running running = new Running();
  private final Map<String, List<Fetcher>> fetchers = new LinkedHashMap<>();
  private final Waiters waiters = new Waiters();
  private Phase phase = Phase.NEW;
  private int housekeepingLevel;
  private Heartbeat heartbeat;
  private ControlConnection control;
  private Maintenance maintenance;

  /** Prepares the engine; connects nothing and starts no thread. */
  public QueueEngine(QueueConfig config) {
    this.config = config;
    this.sql = new Sql(config.schema());
    this.now = new Now(config.clock());
    this.json = new JsonCodec(config.mapper());
    this.producer = new Producer(sql, config.kinds(), json, now);
    this.events = new Events(config.listener());
    this.scheduler = new Scheduler(config, sql, now, producer);
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

  /** Enqueues the due instants of every schedule once now, leader or not (tests). */
  public void runScheduler() {
    scheduler.runOnce();
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
    return new Caller(config, sql, producer, json, waiters).call(args, options, resultType, timeout);
  }

  /** Cancels one job, or asks its running attempt to stop; false if it had already ended. */
  public boolean cancel(long id) {
    return canceller().cancel(id);
  }

  /** Cancels a group's pending jobs and waits up to {@code wait} for its running attempts. */
  public CancelResult cancelGroup(String group, Duration wait) {
    return canceller().cancelGroup(group, wait);
  }

  private Canceller canceller() {
    return new Canceller(config, sql, now, running, waiters);
  }

  /**
   * Starts fetchers for the configured queues, the heartbeat, the control connection and maintenance.
   *
   * <p>The heartbeat, maintenance and the give-ups at shutdown run at the <em>housekeeping
   * level</em>: one above the highest run level when the database has such a level, else the
   * highest run level. No attempt of this queue, and no caller of {@code call} waiting for one, ever
   * holds a connection of that level, so exhausted run-level pools can delay neither lease
   * extension nor rescue and promotion.
   *
   * @throws IllegalStateException if the database cannot open units at every run level (its
   *     {@code maxLevels} is at most {@code runLevels - 1})
   */
  public synchronized void start() {
    if (phase != Phase.NEW) {
      throw new IllegalStateException("the queue was already " + phase.name().toLowerCase() + "; start() runs once");
    }
    int top = config.runLevels() - 1;
    int maxLevels = config.db().maxLevels();
    if (top >= maxLevels) {
      throw new IllegalStateException("runLevels(" + config.runLevels() + ") makes this queue claim and run jobs at"
          + " levels 0 to " + top + ", but " + config.db() + " has maxLevels " + maxLevels + " (levels 0 to "
          + (maxLevels - 1) + "): lower JobQueue.Builder#runLevels, or raise Database.Builder#maxLevels above " + top);
    }
    housekeepingLevel = top + 1 < maxLevels ? top + 1 : top;
    phase = Phase.STARTED;
    AttemptRunner runner = new AttemptRunner(config, sql, json, now, events, waiters);
    for (String q : config.queues().keySet()) {
      List<Fetcher> perLevel = new ArrayList<>();
      for (int level = 0; level < config.runLevels(); level++) {
        perLevel.add(new Fetcher(config, sql, now, q, level, running, runner));
      }
      fetchers.put(q, List.copyOf(perLevel));
    }
    heartbeat = new Heartbeat(config, sql, now, running, housekeepingLevel);
    control = new ControlConnection(config, sql, Map.copyOf(fetchers), waiters);
    maintenance = new Maintenance(config, sql, now, control, events, waiters, housekeepingLevel, scheduler);
    heartbeat.start();
    control.start();
    maintenance.start();
    fetchers.values().forEach(fs -> fs.forEach(Fetcher::start));
  }

  /**
   * Stops fetching, waits up to {@code timeout} for running attempts, gives the leases of those still
   * running back to the queue (and interrupts them), then stops heartbeat, maintenance and the
   * control connection. Returns whether every attempt finished in time.
   */
  public synchronized boolean stop(Duration timeout) throws InterruptedException {
    if (phase != Phase.STARTED) {
      phase = Phase.STOPPED;
      return true;
    }
    phase = Phase.STOPPED;
    long deadline = System.nanoTime() + Durations.nanos(timeout);
    for (List<Fetcher> fs : fetchers.values()) {
      for (Fetcher f : fs) {
        f.stop();
      }
    }
    boolean finished = running.awaitEmpty(deadline);
    if (!finished) {
      // on a thread of its own at the housekeeping level: never in a unit of the thread calling
      // stop(), and never waiting for a connection of a pool the attempts being given up hold
      List<Attempt> attempts = running.snapshot();
      Thread t = Thread.ofVirtual().name("txguard-queue-give-up").start(
          () -> Levels.run(config.db(), housekeepingLevel, () -> giveUp(attempts)));
      t.join();
    }
    heartbeat.stop();
    maintenance.stop();
    control.stop();
    return finished;
  }

  /**
   * Hands each attempt's lease back (or ends its job cancelled when cancel was requested; see
   * give_up.sql), then interrupts the attempt.
   */
  private void giveUp(List<Attempt> attempts) {
    for (Attempt a : attempts) {
      a.leaseLost = true;
      try {
        Optional<Object[]> given = config.db().inTx(config.txOptions().name("give up lease"), tx -> {
          Optional<Object[]> row = tx.queryOne(sql.giveUp,
              rs -> new Object[] {rs.getString(1), JobState.fromSql(rs.getString(2)), rs.getBoolean(3)},
              now.param(), a.id, a.token.toString());
          row.ifPresent(r -> {
            if (r[1] == JobState.AVAILABLE) {
              tx.queryOne("select pg_notify(?, ?)::text", rs -> rs.getString(1), sql.channel, r[0]);
            } else if ((Boolean) r[2]) {
              tx.queryOne("select pg_notify(?, ?)::text", rs -> rs.getString(1), sql.doneChannel, Long.toString(a.id));
            }
          });
          return row;
        });
        if (given.isPresent() && given.get()[1] == JobState.CANCELLED) {
          Events.LOG.info("{} ended cancelled at shutdown: cancel had been requested", a);
          waiters.ended(a.id);
          events.fire(l -> l.onFailed(a.event(), new CancellationException("cancel was requested and the attempt"
              + " was stopped at shutdown"), JobState.CANCELLED));
        } else if (given.isPresent()) {
          Events.LOG.info("gave the lease of {} back at shutdown", a);
        }
      } catch (RuntimeException e) {
        Events.LOG.warn("cannot give the lease of {} back; it will be rescued when it expires", a, e);
      }
      Thread t = a.thread;
      if (t != null) {
        t.interrupt();
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

  /** Whether this process currently runs maintenance. */
  public boolean isLeader() {
    ControlConnection c = control;
    return c != null && c.isLeader();
  }

  /** Runs one maintenance round now, leader or not (tests). */
  public void runMaintenance() {
    new Maintenance(config, sql, now, null, events, waiters, 0, scheduler).runOnce();
  }

  /** The job's current row. */
  public Optional<Job> find(long id) {
    return config.db().inTx(config.txOptions().name("find job").readOnly(true),
        tx -> tx.queryOne(sql.find, rs -> new Job(rs.getLong(1), rs.getString(2), rs.getString(3),
            JobState.fromSql(rs.getString(4)), rs.getInt(5), rs.getInt(6), rs.getInt(7), instant(rs.getObject(8,
            OffsetDateTime.class)), instant(rs.getObject(9, OffsetDateTime.class)),
            Optional.ofNullable(instant(rs.getObject(10, OffsetDateTime.class))),
            Optional.ofNullable(instant(rs.getObject(11, OffsetDateTime.class))), rs.getString(12),
            json.decodeErrors(rs.getString(13)), Optional.ofNullable(rs.getString(14)),
            Optional.ofNullable(rs.getString(15)), Optional.ofNullable(rs.getString(16)),
            Optional.ofNullable(rs.getString(17)), Optional.ofNullable(instant(rs.getObject(18,
            OffsetDateTime.class)))), id));
  }

  /** Counts per queue and state. */
  public QueueStats stats() {
    Map<String, Map<JobState, Long>> counts = new HashMap<>();
    config.db().useTx(config.txOptions().name("queue stats").readOnly(true), tx -> tx.query(sql.stats, rs -> {
      counts.computeIfAbsent(rs.getString(1), q -> new EnumMap<>(JobState.class))
          .put(JobState.fromSql(rs.getString(2)), rs.getLong(3));
      return null;
    }));
    Map<String, Map<JobState, Long>> frozen = new HashMap<>();
    counts.forEach((q, m) -> frozen.put(q, Map.copyOf(m)));
    return new QueueStats(frozen);
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
