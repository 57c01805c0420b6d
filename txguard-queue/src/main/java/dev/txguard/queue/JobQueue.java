package dev.txguard.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.txguard.Database;
import dev.txguard.Isolation;
import dev.txguard.Tx;
import dev.txguard.TxException;
import dev.txguard.TxOptions;
import dev.txguard.queue.internal.QueueConfig;
import dev.txguard.queue.internal.QueueEngine;
import dev.txguard.queue.internal.QueueSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A PostgreSQL job queue on a txguard {@link Database}: jobs are enqueued inside the caller's unit
 * of work, run by workers in this and other processes, and completed — for a {@link
 * TransactionalHandler} — in the same unit as the job's own writes. Thread-safe.
 *
 * <pre>{@code
 * record SendInvoice(long orderId) {}
 *
 * JobQueue queue = JobQueue.builder(db)
 *     .handleInTx("send-invoice", SendInvoice.class, (tx, job) -> {
 *       tx.update("update orders set invoiced = true where id = ?", job.args().orderId());
 *       return null;
 *     })
 *     .queue("default", 10)                          // work this queue, 10 at a time
 *     .build();
 * queue.migrate();
 * queue.start();
 *
 * db.useTx(tx -> {
 *   long id = tx.queryOne("insert into orders ... returning id", rs -> rs.getLong(1)).orElseThrow();
 *   queue.enqueue(tx, new SendInvoice(id));          // visible to workers only if this unit commits
 * });
 * ...
 * queue.stop(Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>Enqueue checks everything before touching the database: an unregistered kind, arguments that
 * do not survive a JSON round trip, or bad options fail at once with {@link
 * IllegalArgumentException}, never later in a worker. See the package description for the job
 * states, leases and maintenance.
 */
// Longer than txguard's ~300-line rule on purpose, like Database: the entry point (about 370 lines,
// most of them javadoc) and its Builder (about 350) are one public API, spelled JobQueue.builder()
// and JobQueue.Builder in the READMEs and users' code; moving the Builder to a file of its own
// would rename a public type. Every method is a few lines; the work is in
// dev.txguard.queue.internal.
public final class JobQueue implements AutoCloseable {
  private final QueueConfig config;
  private final QueueEngine engine;

  private JobQueue(QueueConfig config) {
    this.config = config;
    this.engine = new QueueEngine(config);
  }

  /**
   * Starts building a queue whose jobs live in {@code db}.
   *
   * @param db the database that holds the queue's schema and runs its units
   * @return a new builder with every setting at its default; not thread-safe
   * @throws IllegalArgumentException if {@code db} is null
   */
  public static Builder builder(Database db) {
    return new Builder(db);
  }

  /**
   * Creates or upgrades the queue's schema: applies, in order and in one unit, the numbered
   * migrations it lacks. Safe when several processes call it at once (a transaction advisory lock
   * serializes them); a no-op when the schema is current. The same SQL ships as resources under
   * {@code dev/txguard/queue/migration/} for Flyway or Liquibase, with a placeholder {@code
   * schema}.
   *
   * @return the versions this call applied, empty when none was missing
   * @throws TxException if the database refuses a migration (nothing is applied then)
   */
  public List<Integer> migrate() {
    return engine.migrate();
  }

  /**
   * Enqueues a job with default options in the caller's unit: workers see it only if {@code tx}
   * commits (and are woken at that commit), and it is gone if {@code tx} rolls back.
   *
   * @param tx the unit the insert joins
   * @param args the job's arguments; their exact type selects the kind
   * @return the job, or the unfinished job holding the same unique key
   * @throws IllegalArgumentException if {@code tx} or {@code args} is null, the type is not a
   *     registered kind, the arguments cannot be written to and read back from JSON, or a string in
   *     them holds U+0000 or an unpaired UTF-16 surrogate (half of a character, which the driver
   *     would store as '?'); the message names the kind and where in the JSON
   * @throws IllegalStateException if the queue's schema was never migrated ({@link #migrate()});
   *     the same holds for every {@code enqueue} and {@code enqueueAll}
   */
  public Enqueued enqueue(Tx tx, Object args) {
    return engine.enqueue(tx, args, EnqueueOptions.defaults());
  }

  /**
   * Enqueues a job in the caller's unit; see {@link #enqueue(Tx, Object)}.
   *
   * @param tx the unit the insert joins
   * @param args the job's arguments; their exact type selects the kind
   * @param options how to enqueue (queue, priority, run-at, unique key, group)
   * @return the job, or the unfinished job holding the same unique key
   * @throws IllegalArgumentException also if {@code options} is null
   */
  public Enqueued enqueue(Tx tx, Object args, EnqueueOptions options) {
    return engine.enqueue(tx, args, options);
  }

  /**
   * Enqueues a job with default options in a unit of its own (joining the calling thread's unit of
   * the same database, if there is one).
   *
   * @param args the job's arguments; their exact type selects the kind
   * @return the job, or the unfinished job holding the same unique key
   * @see #enqueue(Tx, Object)
   */
  public Enqueued enqueue(Object args) {
    return enqueue(args, EnqueueOptions.defaults());
  }

  /**
   * Enqueues a job in a unit of its own (joining the calling thread's unit of the same database, if
   * there is one).
   *
   * @param args the job's arguments; their exact type selects the kind
   * @param options how to enqueue (queue, priority, run-at, unique key, group)
   * @return the job, or the unfinished job holding the same unique key
   * @see #enqueue(Tx, Object, EnqueueOptions)
   */
  public Enqueued enqueue(Object args, EnqueueOptions options) {
    return config
        .db()
        .inTx(TxOptions.defaults().name("enqueue"), tx -> engine.enqueue(tx, args, options));
  }

  /**
   * Enqueues many jobs with the same options in the caller's unit, in one statement. Every argument
   * is checked before anything is inserted.
   *
   * @param args the jobs' arguments, of registered kinds (they may differ)
   * @param options shared by all jobs; must not carry a unique key
   * @param tx the unit the insert joins; the jobs are visible to workers only after it commits
   * @return the new jobs' ids, in the order of {@code args}
   * @throws IllegalArgumentException naming the index of the first bad argument, or if {@code
   *     options} has a unique key
   * @throws IllegalStateException if the queue's schema was never migrated ({@link #migrate()})
   */
  public List<Long> enqueueAll(Tx tx, Collection<?> args, EnqueueOptions options) {
    return engine.enqueueAll(tx, args, options);
  }

  /**
   * Like {@link #enqueueAll(Tx, Collection, EnqueueOptions)}, in a unit of its own.
   *
   * @param args the jobs' arguments, of registered kinds (they may differ)
   * @param options shared by all jobs; must not carry a unique key
   * @return the new jobs' ids, in the order of {@code args}
   */
  public List<Long> enqueueAll(Collection<?> args, EnqueueOptions options) {
    return config
        .db()
        .inTx(TxOptions.defaults().name("enqueue all"), tx -> engine.enqueueAll(tx, args, options));
  }

  /**
   * Enqueues a job and waits for its result: the result its handler returned, read from JSON as a
   * plain value ({@code Map}, {@code List}, {@code String}, number, boolean or null).
   *
   * @param args the job's arguments, of a registered kind
   * @param timeout how long to wait, positive
   * @return the handler's result as a plain JSON value, or null if it returned none
   * @see #call(Object, Class, Duration)
   */
  public Object call(Object args, Duration timeout) {
    return call(args, Object.class, EnqueueOptions.defaults(), timeout);
  }

  /**
   * Enqueues a job and waits for its result, read from JSON into {@code resultType}; see {@link
   * #call(Object, Class, EnqueueOptions, Duration)}.
   *
   * @param <R> the result's type
   * @param args the job's arguments, of a registered kind
   * @param resultType the type the handler's result is read into
   * @param timeout how long to wait, positive
   * @return the handler's result, or null if it returned none
   */
  public <R> R call(Object args, Class<R> resultType, Duration timeout) {
    return call(args, resultType, EnqueueOptions.defaults(), timeout);
  }

  /**
   * Enqueues a job and waits until it ends; safe inside a unit, even with one connection per pool.
   *
   * <p>The job is enqueued in a unit of its own that commits at once (never in the caller's unit,
   * which would hide it from workers until the wait is over). Called inside a unit at level L, that
   * unit and the job's whole run (claim, handler, completion) use level L+1, whose pool the caller
   * does not hold, so a caller waiting with its level-L connection cannot starve the job. Outside a
   * unit the job runs at the caller's level. While it waits the caller holds no further connection:
   * it is woken when the job ends in this process, or by the queue's control connection when it
   * ends in another, and reads the job's row in a short unit every poll interval as a fallback.
   * Some process must work the job's queue with {@link Builder#runLevels} above L.
   *
   * <pre>{@code
   * db.useTx(tx -> {
   *   Quote q = queue.call(new PriceOrder(orderId), Quote.class, Duration.ofSeconds(10));
   *   tx.update("update orders set price = ? where id = ?", q.total(), orderId);
   * });
   * }</pre>
   *
   * @param <R> the result's type
   * @param args the job's arguments, of a registered kind
   * @param resultType the type the handler's result is read into
   * @param options how to enqueue (queue, priority, group, ...)
   * @param timeout how long to wait, positive (a timeout over 100 years waits 100 years)
   * @return the handler's result, or null if it returned none
   * @throws JobFailedException if the job ended failed, discarded or cancelled (with its last
   *     error)
   * @throws CallTimeoutException naming the job if it had not ended within {@code timeout}; the job
   *     is not cancelled
   * @throws IllegalArgumentException for bad arguments or options (as {@link #enqueue}), a null
   *     type, or a timeout that is null, zero or negative; or if the result cannot be read as
   *     {@code resultType}
   * @throws IllegalStateException if the job would need a level the queue does not work
   */
  public <R> R call(Object args, Class<R> resultType, EnqueueOptions options, Duration timeout) {
    return engine.call(args, options, resultType, timeout);
  }

  /**
   * Cancels one job: if it has not started it becomes {@link JobState#CANCELLED} and never runs (a
   * job a worker claimed ahead, see {@link Builder#prefetch}, ends cancelled without running once
   * that worker learns of the cancel: at once in this process; in another, when the cancel's
   * notification reaches that process's control connection (a few milliseconds after this unit
   * commits; at its next heartbeat, a third of the lease, if the notification was missed), or when
   * it starts, whichever comes first; if a free slot starts a grouped one first, it still ends
   * cancelled without running, an ungrouped one runs as a running job asked to stop); if it runs,
   * it is asked to stop ({@link JobContext#isCancelRequested()}, seen as above) and ends cancelled
   * if its handler then throws (it completes normally if the handler finishes). Does not wait. Runs
   * in a unit of its own, which commits at once; when it asks a running job to stop, that unit also
   * sends a NOTIFY (channel {@code <schema>_cancel}, the job's id), so its commit is serialised
   * with the cluster's other notifying commits (PostgreSQL documentation, NOTIFY).
   *
   * @param jobId the job's id, as returned by enqueue
   * @return whether the job was cancelled or asked to stop; false if it had already ended or does
   *     not exist
   * @throws IllegalStateException if the queue's schema was never migrated ({@link #migrate()}),
   *     naming the schema and {@code migrate()}, with the server's error as its cause
   */
  public boolean cancel(long jobId) {
    return engine.cancel(jobId);
  }

  /**
   * Cancels every job of {@code group} (see {@link EnqueueOptions#group}) and waits for those
   * already running: jobs that have not started are cancelled and never run; running ones are asked
   * to stop (see {@link #cancel(long)}), and the call returns once they have all ended, or when
   * {@code wait} runs out. Jobs a worker claimed ahead ({@link Builder#prefetch}) count as running
   * here ({@link CancelResult#waitedFor}); they end cancelled at once without running. The wait
   * uses advisory locks: each running attempt of a grouped job holds the group's lock shared,
   * session-scoped, for its whole run, on a connection of its own opened outside the pools (as the
   * control connection is) with no transaction open, so that only the attempt's end releases it (no
   * unit timeout, idle-in-transaction timeout or leak report); the wait takes it exclusively, on a
   * connection of its own too, with a {@code lock_timeout} of {@code wait}, then waits (within
   * {@code wait}) until no job of the group is recorded running. An attempt claimed while
   * cancelling checks the cancel flag after taking the lock and does not run. Works across
   * processes: running attempts of other processes see the request when its notification reaches
   * them (at their next heartbeat if it was missed).
   *
   * @param group the group, as given at enqueue
   * @param wait how long to wait for running attempts; zero does not wait; at most about 24.8 days
   *     (PostgreSQL's limit of {@code lock_timeout}): a longer wait waits that long
   * @return how many jobs were cancelled, waited for, and still running when the wait ran out
   * @throws IllegalArgumentException if {@code group} is null, blank, or holds U+0000 or an
   *     unpaired UTF-16 surrogate (half of a character), or {@code wait} is null or negative
   * @throws IllegalStateException if the queue's schema was never migrated ({@link #migrate()}),
   *     naming the schema and {@code migrate()}, with the server's error as its cause
   */
  public CancelResult cancelGroup(String group, Duration wait) {
    return engine.cancelGroup(group, wait);
  }

  /**
   * Starts working: a fetcher per configured {@link Builder#queue queue}, heartbeats, the control
   * connection (LISTEN, leader election) and maintenance. Call {@link #migrate()} first: start
   * checks that the schema has every migration and fails otherwise. A background loop that keeps
   * failing afterwards (the database down, the schema dropped) logs each kind of failure once until
   * it works again, and waits longer between tries (doubling from its period up to 30 s; the
   * heartbeat keeps its period).
   *
   * @throws IllegalStateException if no queue or no handler is configured, the queue was started
   *     before, the schema lacks migrations (the message names them, {@code migrate()} and the
   *     command {@code txguard migrate}), or the server refused the control connection's login
   *     (SQLSTATE class 28 or 3D000: a wrong user, password or database in {@link
   *     Builder#controlConnection}); a server not reachable yet is retried after the start
   */
  public void start() {
    engine.start();
  }

  /**
   * Stops gracefully: stops claiming jobs, waits up to {@code timeout} for running attempts, then
   * gives the leases of those still running back to the queue — another process can claim them at
   * once, and the given-up attempt does not count — and interrupts them; their late completion is
   * refused. Then gives maintenance leadership up, and waits up to 2 s for the NOTIFY that
   * announces jobs enqueued just before to the other processes (a process that only enqueues should
   * stop or close its queue before its database too: otherwise the other processes find its last
   * jobs at their next poll, not at once). Idempotent. Returns within {@code timeout} plus about 12
   * s even when the database goes away meanwhile: a step still waiting for it then (giving leases
   * back, a heartbeat waiting for a connection, the control connection reconnecting) is
   * interrupted, and the leases it did not give back expire and are rescued.
   *
   * @param timeout how long to wait for running attempts; zero gives them up at once (a timeout
   *     over 100 years waits 100 years)
   * @return whether every running attempt finished within {@code timeout}
   * @throws IllegalArgumentException if {@code timeout} is null or negative
   * @throws TxException if interrupted while waiting
   */
  public boolean stop(Duration timeout) {
    return engine.stop(timeout);
  }

  /** {@link #stop(Duration) Stops} with a timeout of 30 seconds. */
  @Override
  public void close() {
    stop(Duration.ofSeconds(30));
  }

  /**
   * The job's current state, arguments, errors and result.
   *
   * @param jobId the job's id, as returned by enqueue
   * @return empty if no such job exists (never enqueued, rolled back, or deleted after retention)
   * @throws IllegalStateException if the queue's schema was never migrated ({@link #migrate()}),
   *     naming the schema and {@code migrate()}, with the server's error as its cause
   */
  public Optional<Job> find(long jobId) {
    return engine.find(jobId);
  }

  /**
   * Counts jobs per queue and state, over every process.
   *
   * @return the counts read by one statement, per queue and state (states without jobs absent)
   * @throws IllegalStateException if the queue's schema was never migrated ({@link #migrate()}),
   *     naming the schema and {@code migrate()}, with the server's error as its cause
   */
  public QueueStats stats() {
    return engine.stats();
  }

  /**
   * The operators' view and actions on this queue's schema: migrations, counts, listings, retry,
   * cancel, prune; see {@link QueueAdmin}. Needs no {@link #start()}.
   *
   * @return a new, thread-safe admin over this queue's schema
   */
  public QueueAdmin admin() {
    return new QueueAdmin(engine.admin(), this);
  }

  /**
   * Whether this process is the maintenance leader right now.
   *
   * @return whether this process holds the leader's session lock now; it may change at any moment
   */
  public boolean isLeader() {
    return engine.isLeader();
  }

  /**
   * The schema the queue's table lives in.
   *
   * @return the schema set on the builder, {@code txguard_queue} by default
   */
  public String schema() {
    return config.schema();
  }

  /** {@return the engine behind this queue (for this module's tests, which drive it by hand)} */
  QueueEngine engine() {
    return engine;
  }

  @Override
  public String toString() {
    return "JobQueue[" + config.schema() + ", " + config.owner() + "]";
  }

  /**
   * Collects a queue's settings; {@link #build()} checks them together. Every setter checks its
   * argument at once.
   */
  public static final class Builder {
    private final QueueSettings settings;

    private Builder(Database db) {
      this.settings = new QueueSettings(db);
    }

    /**
     * The schema of the queue's table; several queues with different schemas can share a database.
     *
     * @param schema a lower-case SQL identifier ({@code [a-z_][a-z0-9_]*}) of up to 58 characters
     *     (the queue's notification channels {@code <schema>_jobs} and {@code <schema>_done} must
     *     fit PostgreSQL's 63-byte identifiers), not starting with {@code pg_} (reserved for system
     *     schemas), and not a key word PostgreSQL reserves ({@code user}, {@code order}, {@code
     *     select}, ...: those its {@code pg_get_keywords()} lists with category {@code R} or {@code
     *     T}), which cannot name a schema without quotes; default {@code txguard_queue}
     * @return this builder
     * @throws IllegalArgumentException if not such an identifier; the message names the rule it
     *     breaks
     */
    public Builder schema(String schema) {
      settings.schema(schema);
      return this;
    }

    /**
     * Where the queue opens its one dedicated, unpooled connection, used to LISTEN for new jobs and
     * to hold the maintenance leader's session lock. Optional: by default {@link JobQueue#start()}
     * opens it with {@link Database#openConnection()}, from the database's own URL and credentials.
     * Set it when the database's connections go through a pooler in transaction mode (PgBouncer,
     * for example), where LISTEN and session locks do not work: point it at the server itself.
     *
     * @param url a {@code jdbc:postgresql:} URL of the server itself, not of a transaction-mode
     *     pooler
     * @param user the user to connect as, or null for the URL's or driver's default
     * @param password the password, or null for none
     * @return this builder
     * @throws IllegalArgumentException if {@code url} is not a {@code jdbc:postgresql:} URL
     */
    public Builder controlConnection(String url, String user, String password) {
      settings.controlConnection(url, user, password);
      return this;
    }

    /**
     * Registers a kind whose jobs run outside a transaction (for external side effects) and
     * complete in a unit of their own; see {@link JobHandler}.
     *
     * @param <A> the arguments' type
     * @param kind the kind's stable name, stored with each job (1 to 128 characters of letters,
     *     digits, {@code _ . : -})
     * @param argsType the arguments' type, typically a record; each type belongs to one kind
     * @param handler runs each attempt of the kind, on a virtual thread of its own
     * @return this builder
     * @throws IllegalArgumentException if any is null, the name is bad, or the kind or type is
     *     taken
     */
    public <A> Builder handle(String kind, Class<A> argsType, JobHandler<A> handler) {
      settings.kind(kind, argsType, handler, false, false);
      return this;
    }

    /**
     * Registers a kind whose handler runs inside the unit that completes the job; see {@link
     * TransactionalHandler}.
     *
     * @param <A> the arguments' type
     * @param kind the kind's stable name, stored with each job (as {@link #handle})
     * @param argsType the arguments' type; each type belongs to one kind
     * @param handler runs each attempt of the kind inside the unit that completes the job
     * @return this builder
     * @throws IllegalArgumentException as {@link #handle}
     */
    public <A> Builder handleInTx(String kind, Class<A> argsType, TransactionalHandler<A> handler) {
      settings.kind(kind, argsType, handler, true, false);
      return this;
    }

    /**
     * Declares a kind this process enqueues but does not run (another process handles it).
     *
     * @param kind the kind's stable name, as the process that handles it registers it
     * @param argsType the arguments' type; each type belongs to one kind
     * @return this builder
     * @throws IllegalArgumentException as {@link #handle}
     */
    public Builder declare(String kind, Class<?> argsType) {
      settings.kind(kind, argsType, null, false, true);
      return this;
    }

    /**
     * Declares a periodic job whose arguments are the same at every instant; see {@link
     * #schedule(String, Schedule, EnqueueOptions, Function)}.
     *
     * @param args the job's arguments, of a registered kind; checked (kind, JSON) by {@link
     *     #build()}
     * @param name the schedule's stable name; renaming it starts a new series
     * @param when the instants to enqueue at
     * @return this builder
     * @throws IllegalArgumentException as {@link #schedule(String, Schedule, EnqueueOptions,
     *     Function)}, or if {@code args} is null
     */
    public Builder schedule(String name, Schedule when, Object args) {
      return schedule(name, when, EnqueueOptions.defaults(), args);
    }

    /**
     * Declares a periodic job with constant arguments and the given enqueue options; see {@link
     * #schedule(String, Schedule, EnqueueOptions, Function)}.
     *
     * @param name the schedule's stable name; renaming it starts a new series
     * @param when the instants to enqueue at
     * @param options how each job is enqueued; its run-at is replaced by the instant
     * @param args the job's arguments, of a registered kind; checked (kind, JSON) by {@link
     *     #build()}
     * @return this builder
     * @throws IllegalArgumentException as {@link #schedule(String, Schedule, Object)}
     */
    public Builder schedule(String name, Schedule when, EnqueueOptions options, Object args) {
      settings.schedule(name, when, options, args, null);
      return this;
    }

    /**
     * Declares a periodic job: at each instant of {@code when}, the maintenance leader enqueues one
     * job with the arguments {@code args} returns for that instant, on {@code options} (their
     * run-at is replaced by the instant). Each instant is enqueued exactly once across all
     * processes, also when leadership moves or processes restart: it is claimed in the database
     * under ({@code name}, instant) in the same unit as its job. Instants missed while no process
     * led follow the schedule's {@link Schedule#missed(MissedRuns) policy}.
     *
     * <p>Declare the same schedules on every process that starts this queue: whichever leads
     * enqueues the schedules it knows. Schedules run only in started queues ({@link
     * JobQueue#start()}).
     *
     * <pre>{@code
     * .schedule("nightly-report", Schedule.cron("0 3 * * *", ZoneId.of("Europe/Berlin")),
     *     EnqueueOptions.defaults().queue("reports"), instant -> new NightlyReport(instant))
     * }</pre>
     *
     * @param name the schedule's stable name (1 to 128 characters of letters, digits, {@code _ . :
     *     -}); renaming it starts a new series
     * @param args called by the leader with the instant; must return arguments of a registered
     *     kind. If it throws, or its result cannot be enqueued, the instant is retried every
     *     maintenance round (and logged) until it succeeds or is missed
     * @param when the instants to enqueue at
     * @param options how each job is enqueued; its run-at is replaced by the instant
     * @return this builder
     * @throws IllegalArgumentException if any is null, the name is bad or already declared
     */
    public Builder schedule(
        String name, Schedule when, EnqueueOptions options, Function<Instant, ?> args) {
      settings.schedule(name, when, options, null, args);
      return this;
    }

    /**
     * Works {@code queue} in this process, running at most {@code concurrency} of its jobs at once
     * <em>per run level</em> (see {@link #runLevels(int)}): each level has fetchers and slots of
     * its own, so up to {@code concurrency × runLevels} jobs of the queue may run at once.
     *
     * <p>A level-L job is claimed, run and completed through level L's pool: the database's {@code
     * poolSize} for level 0 (ordinary jobs), its {@code levelPoolSize} for the levels above (jobs
     * of {@link JobQueue#call} made inside units). A running transactional job holds one connection
     * of its level's pool for its whole run, a plain job one while it completes, and each level's
     * claims take one more. So size {@code poolSize} at least the sum of the worked queues'
     * concurrencies plus one (plus what the application itself uses), and {@code levelPoolSize} the
     * same for the calls you expect, or jobs wait for connections. Heartbeats and maintenance use
     * one connection of the level above the highest run level when the database has that level
     * (else of the highest run level).
     *
     * @param queue a queue name (see {@link EnqueueOptions#queue})
     * @param concurrency 1 to 10,000
     * @return this builder
     * @throws IllegalArgumentException if the name is bad or the concurrency out of range
     */
    public Builder queue(String queue, int concurrency) {
      settings.queue(queue, concurrency);
      return this;
    }

    /**
     * The most jobs one claim statement takes (never more than the queue's free slots plus its
     * {@link #prefetch room for prefetched jobs}).
     *
     * @param size 1 to 1000; default 20
     * @return this builder
     */
    public Builder fetchBatchSize(int size) {
      settings.fetchBatchSize(size);
      return this;
    }

    /**
     * The most claimed jobs that may wait in this process for a free slot, per queue and run level.
     * Claiming ahead lets a finished handler's slot start the next job at once and lets each claim
     * take many jobs (one statement and one commit for all of them) instead of the few slots free
     * at that moment. A worker claims ahead at most {@code jobs}, and at most what its handlers
     * finish in about 10 ms by their mean duration measured by this {@code JobQueue} (the time a
     * job holds its slot, from its handler's start to its return, averaged over the recent jobs of
     * the queue and level, the newest weighing an eighth): {@code min(jobs, concurrency × 10 ms /
     * mean)}, so that a claimed job waits about 10 ms for a slot. With concurrency 16, handlers of
     * 0.1 ms allow 1,600 jobs ahead, of 1 ms 160, of 20 ms 8, and of 200 ms none (each at most
     * {@code jobs}: 112 with the setting below): slow handlers' jobs then stay in the queue, where
     * an idle process can take them. Until the first handler of the queue and level has returned
     * (or thrown), it claims {@code jobs} ahead; the mean moves only when handlers return, so
     * handlers that block keep the claim-ahead they had, and one slow job among short ones lowers
     * it for the next few dozen jobs. For throughput, set it to 7 × the queue's concurrency with
     * {@link #fetchBatchSize} 8 × the concurrency: short jobs get claims of many jobs, slow ones
     * claim hardly more than their free slots. A prefetched job is leased like a running one: the
     * heartbeat extends its lease; {@link JobQueue#cancel} from this process ends it cancelled at
     * once without running its handler (from another process, when the cancel's notification
     * reaches this one, unless a slot started it first: see {@link JobQueue#cancel}), and {@link
     * JobQueue#cancelGroup} counts it among the attempts it waited for ({@link
     * CancelResult#waitedFor}), not among the jobs that had not started; {@link JobQueue#stop}
     * hands it back to the queue without counting an attempt. If the process dies, it is rescued
     * when its lease expires like a running job, and that attempt counts (so a job with {@code
     * maxAttempts(1)} can end failed without having run). A prefetched job shows as {@link
     * JobState#RUNNING} (in {@link JobQueue#find(long)}, {@link JobQueue#stats()} and the admin
     * views) from its claim, and a rescued one records "the worker stopped heartbeating" like a
     * running one; {@link QueueListener#onFetched} fires when it starts. A cancelled prefetched job
     * ends without opening its group lock's connection, so grouped jobs still hold at most the
     * queue's concurrency of those connections. With the default, 0, a worker claims only for its
     * free slots. A prefetched job waits for this process's slots even while another process has
     * free ones: where this process hears of new jobs first (it enqueues them too), count on about
     * 10 ms more before a job starts, more where handlers' durations vary widely or just grew (jobs
     * claimed while they were short wait for the long ones), and up to {@code jobs / concurrency}
     * handler times before the first job finished (the queue's README gives the measurements).
     *
     * @param jobs 0 to 10,000; default 0
     * @return this builder
     * @throws IllegalArgumentException if {@code jobs} is out of range
     */
    public Builder prefetch(int jobs) {
      settings.prefetch(jobs);
      return this;
    }

    /**
     * How often a worker claims without being woken by a notification (the fallback when a
     * notification is lost, e.g. while the control connection reconnects). While its claims find
     * nothing and nothing wakes it, a worker's poll doubles from this interval up to 16 times it
     * (16 s by default), so an idle process sends few statements; a notification, a finished
     * attempt or a claim that finds jobs brings it back to this interval. A job nobody announced is
     * thus found within 16 intervals.
     *
     * @param interval 10 ms to 1 day; default 1 s
     * @return this builder
     */
    public Builder pollInterval(Duration interval) {
      settings.pollInterval(interval);
      return this;
    }

    /**
     * How long a claimed job's lease lasts; heartbeats extend it every third of it while the
     * attempt runs. A job whose worker stops heartbeating is rescued after at most this long (plus
     * one maintenance interval; plus up to 5 more when the stopped process was the maintenance
     * leader, whose session another process then ends, see {@link #maintenanceInterval}).
     *
     * @param lease 100 ms to 1 day; default 30 s
     * @return this builder
     */
    public Builder leaseDuration(Duration lease) {
      settings.leaseDuration(lease);
      return this;
    }

    /**
     * How often the leader runs maintenance (rescue, promotion, deletion) while there is work, and
     * the unit of its idle pacing and of the election. An idle leader's rounds back off to 8
     * intervals (at most a lease plus one interval), but it wakes for the earliest run-at and lease
     * expiry it knows of, and for the scheduled and retryable jobs of its own process: those are
     * promoted within one interval of their run-at, as are all jobs while notifications of new jobs
     * arrive; a job made scheduled or retryable by another process while the leader idles within 8
     * intervals. Processes that do not lead try to every 4 intervals, and the leader checks its
     * session as often: a dead leader's successor takes over within 4 intervals of the server
     * releasing its lock. A leader whose process stopped without ending its session (frozen by
     * SIGSTOP, a suspended VM, a debugger) keeps its lock, so a process that tries to lead ends the
     * holder's session once it has sent nothing for longer than the trying process's lease (at
     * least 12 intervals; {@code pg_terminate_backend}, which PostgreSQL allows on sessions of the
     * same role), and leads. Give every process of a schema the same lease and interval: a leader
     * checking its session less often than another process's lease would be deposed again and
     * again.
     *
     * @param interval 10 ms to 1 day; default 1 s
     * @return this builder
     */
    public Builder maintenanceInterval(Duration interval) {
      settings.maintenanceInterval(interval);
      return this;
    }

    /**
     * How long finished jobs (completed, failed, cancelled, discarded) are kept before deletion.
     *
     * @param retention 1 s to 100 years (36,500 days); default 1 day
     * @return this builder
     */
    public Builder retention(Duration retention) {
      settings.retention(retention);
      return this;
    }

    /**
     * The retry schedule: after failed attempt {@code n} the job waits a random delay drawn from
     * {@code [d/2, d]} with {@code d = min(max, initial * 2^(n-1))}.
     *
     * @param initial zero or positive; default 1 s
     * @param max at least {@code initial}, at most 100 years (36,500 days); default 1 h
     * @return this builder
     */
    public Builder retryBackoff(Duration initial, Duration max) {
      settings.retryBackoff(initial, max);
      return this;
    }

    /**
     * Receives job events; default none.
     *
     * @param listener thread-safe and fast; called on the threads that run attempts (see {@link
     *     QueueListener}); what it throws is logged and ignored
     * @return this builder
     */
    public Builder listener(QueueListener listener) {
      settings.listener(listener);
      return this;
    }

    /**
     * Options of the units jobs run and complete in, and of the queue's own units (timeout, retries
     * of retryable database errors); default {@link TxOptions#defaults()}.
     *
     * <p>They must be read-write at {@link Isolation#READ_COMMITTED}: the heartbeat updates a
     * running job's row every third of the lease, so a transactional handler's unit at REPEATABLE
     * READ or SERIALIZABLE that ran longer than that would fail its completion with a serialization
     * failure (SQLSTATE 40001) on every try; and read-only units could not write the queue at all.
     * A handler that needs a stricter unit opens one itself: a plain handler with {@code
     * db.inTx(TxOptions.defaults().isolation(...), ...)}, a transactional one with {@code
     * db.inNewTx(...)}, which runs one level up and commits on its own, not with the job's
     * completion.
     *
     * @param options read-write, at READ COMMITTED
     * @return this builder
     * @throws IllegalArgumentException if null, read-only, or at an isolation above READ COMMITTED
     */
    public Builder txOptions(TxOptions options) {
      settings.txOptions(options);
      return this;
    }

    /**
     * The JSON mapper for arguments and results; default a plain {@code JsonMapper}.
     *
     * @param mapper used for every kind's arguments and results; not null
     * @return this builder
     */
    public Builder objectMapper(ObjectMapper mapper) {
      settings.objectMapper(mapper);
      return this;
    }

    /**
     * A clock every statement uses instead of the database's {@code now()}, for tests that move
     * time by hand. Leave it unset in production: all processes then share the database's clock.
     *
     * @param clock the time every statement uses; not null
     * @return this builder
     */
    public Builder clock(Clock clock) {
      settings.clock(clock);
      return this;
    }

    /**
     * This process's name in leases and logs; default {@code host/pid/random}.
     *
     * @param owner the name, unique per process so that leases and logs tell processes apart;
     *     printable ASCII (it names the process's session, whose name PostgreSQL keeps in ASCII)
     * @return this builder
     * @throws IllegalArgumentException if blank or holding a character outside printable ASCII
     */
    public Builder owner(String owner) {
      settings.owner(owner);
      return this;
    }

    /**
     * How many txguard levels this process works: jobs are claimed, run and completed at levels 0
     * to {@code levels - 1}, each by fetchers of its own with the queue's concurrency. Level 0
     * holds ordinary jobs; a job of {@link JobQueue#call} made inside a unit at level L runs at
     * L+1. With the default 2, calls from top-level units work; raise it for calls made from inside
     * jobs (nested calls), and keep it at most the database's {@code maxLevels} ({@link
     * JobQueue#start()} fails otherwise); below it, heartbeats and maintenance get a level of their
     * own.
     *
     * @param levels 1 (no call from inside a unit) to 8; default 2
     * @return this builder
     */
    public Builder runLevels(int levels) {
      settings.runLevels(levels);
      return this;
    }

    /**
     * Checks the settings together and creates the queue; connects nothing and starts no thread.
     *
     * @return a new queue, not started: call {@link JobQueue#migrate()} and {@link
     *     JobQueue#start()} to work it
     * @throws IllegalStateException if a worked queue has no kind to run
     */
    public JobQueue build() {
      return new JobQueue(settings.build());
    }
  }
}
