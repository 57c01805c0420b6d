package dev.txguard.cli.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.txguard.Database;
import dev.txguard.TxOptions;
import dev.txguard.queue.CallTimeoutException;
import dev.txguard.queue.JobQueue;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Story 5: a unit holds the pool's only connection, hands work to an executor and waits for its
 * result; the work needs a connection of the same pool. Naive (a plain pool of one): both wait
 * forever, which the demo detects with a bounded wait and then breaks up. With txguard (pool size
 * one per level): the work runs one level up, on the next level's pool, and the unit completes.
 *
 * <p>How the txguard variant hands work on is a {@link JobRunner}: half the units use an executor
 * wrapped by {@code db.context()}, half the job queue's call-and-wait ({@code queue.call}). On
 * MariaDB, where the job queue does not run (it is PostgreSQL-only), every unit uses the executor.
 */
final class PoolDeadlockStory implements Story {
  static final int UNITS = 4;

  /** How long a naive unit waits for its job before the demo calls it deadlocked. */
  static final Duration DEADLOCK_WAIT = Duration.ofMillis(1500);

  /**
   * The txguard variant's bound: as strict in kind, looser in amount, so that a slow machine is not
   * mistaken for a deadlock; a working run never comes near it.
   */
  static final Duration TXGUARD_WAIT = Duration.ofSeconds(10);

  private static final TxOptions UNIT =
      TxOptions.defaults().name("transfer-with-audit").timeout(Duration.ofSeconds(15));
  private static final TxOptions JOB =
      TxOptions.defaults().name("audit-job").timeout(Duration.ofSeconds(5));

  @Override
  public int number() {
    return 5;
  }

  @Override
  public String id() {
    return "pool-deadlock";
  }

  @Override
  public String title() {
    return "The pool that deadlocks on itself";
  }

  @Override
  public String description() {
    return "Runs "
        + UNITS
        + " units, each holding the only connection of a pool of one while it waits"
        + " for a job that needs a connection too. Counts units that deadlocked (no result within "
        + DEADLOCK_WAIT.toMillis()
        + " ms, then broken up) and units that completed.";
  }

  /**
   * Runs the audit job of one account somewhere else and waits for it, at most {@link
   * #TXGUARD_WAIT}.
   */
  @FunctionalInterface
  interface JobRunner {
    /**
     * Returns the level the job's unit ran at.
     *
     * @throws TimeoutException if the job gave no result in time (the story's deadlock)
     */
    int runAndWait(int account) throws Exception;
  }

  @Override
  public Measurement run(Variant variant, StoryContext context) throws Exception {
    context.runScript("pool-deadlock.sql");
    Random random = context.random();
    int[] accounts = new int[UNITS];
    for (int i = 0; i < UNITS; i++) {
      accounts[i] = 1 + random.nextInt(10);
    }
    ExecutorService executor = Executors.newFixedThreadPool(2);
    try {
      Set<Integer> jobLevels = new TreeSet<>();
      int[] outcome =
          variant == Variant.NAIVE
              ? naive(context, executor, accounts)
              : txguard(context, executor, accounts, jobLevels);
      return measure(variant, context, outcome[0], outcome[1], jobLevels);
    } finally {
      executor.shutdownNow();
    }
  }

  // ---- naive ------------------------------------------------------------------------------------

  /** Returns {completed, deadlocked}. */
  private static int[] naive(StoryContext context, ExecutorService executor, int[] accounts)
      throws Exception {
    int completed = 0;
    int deadlocked = 0;
    // HikariCP's default connection timeout: a real application would wait this long, or forever
    try (HikariDataSource ds =
        context.plainPool("pool-deadlock", 1, Duration.ofSeconds(30), false)) {
      for (int account : accounts) {
        try (Connection c = ds.getConnection()) {
          Jdbc.update(c, "update pd_account set balance = balance - 1 where id = ?", account);
          Future<Void> job =
              executor.submit(
                  () -> {
                    try (Connection jobConnection = ds.getConnection()) {
                      Jdbc.update(
                          jobConnection,
                          "insert into pd_audit (account_id, note) values (?, 'debit')",
                          account);
                      jobConnection.commit();
                    }
                    return null;
                  });
          if (await(job, DEADLOCK_WAIT)) {
            c.commit();
            completed++;
          } else {
            deadlocked++;
            c.rollback();
          }
        }
      }
    }
    return new int[] {completed, deadlocked};
  }

  /** Waits for the job, at most {@code wait}; on timeout cancels it so nothing hangs. */
  private static boolean await(Future<?> job, Duration wait) throws Exception {
    try {
      job.get(wait.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      job.cancel(true);
      return false;
    }
  }

  // ---- txguard ----------------------------------------------------------------------------------

  /**
   * Every other unit hands its job to an executor wrapped by {@code db.context()}; the others call
   * it through the job queue ({@code queue.call}). Both run the job one level up.
   */
  private static int[] txguard(
      StoryContext context, ExecutorService executor, int[] accounts, Set<Integer> jobLevels)
      throws Exception {
    int completed = 0;
    int deadlocked = 0;
    try (Database db =
            context
                .database()
                .poolSize(1)
                .levelPoolSize(1)
                .maxLevels(2)
                .connectionTimeout(Duration.ofSeconds(10))
                .build();
        JobQueue queue = auditQueue(db, context)) {
      for (int i = 0; i < accounts.length; i++) {
        int account = accounts[i];
        JobRunner runner =
            i % 2 == 0 || queue == null ? contextExecutor(db, executor) : queueCall(queue);
        try {
          db.useTx(
              UNIT,
              tx -> {
                tx.update("update pd_account set balance = balance - 1 where id = ?", account);
                jobLevels.add(runner.runAndWait(account));
              });
          completed++;
        } catch (TimeoutException | CallTimeoutException e) {
          deadlocked++;
        }
      }
    }
    return new int[] {completed, deadlocked};
  }

  /**
   * The job on an executor: its own unit, which needs a connection while its submitter holds one.
   */
  private static int auditJob(Database db, int account) {
    return db.inTx(
        JOB,
        tx -> {
          tx.update("insert into pd_audit (account_id, note) values (?, 'debit')", account);
          return db.level();
        });
  }

  /**
   * Runs jobs on {@code executor} one level above the calling unit, on the next level's pool. Call
   * it inside the unit: {@code db.context()} captures the level there.
   */
  private static JobRunner contextExecutor(Database db, ExecutorService executor) {
    return account -> {
      ExecutorService wrapped = db.context().wrap(executor);
      Future<Integer> job = wrapped.submit(() -> auditJob(db, account));
      if (!await(job, TXGUARD_WAIT)) {
        throw new TimeoutException(
            "audit job gave no result within " + TXGUARD_WAIT.toMillis() + " ms");
      }
      return job.get();
    };
  }

  /** Calls the job through the queue: enqueued at once, run by a worker one level up, awaited. */
  private static JobRunner queueCall(JobQueue queue) {
    return account -> queue.call(new Audit(account), Integer.class, TXGUARD_WAIT);
  }

  /** The job's arguments on the queue. */
  record Audit(int account) {}

  /**
   * A job queue in the demo's schema whose "audit" handler does what {@link #auditJob} does; null
   * on MariaDB, where the queue does not run.
   */
  private static JobQueue auditQueue(Database db, StoryContext context) throws SQLException {
    if (context.mariaDb()) {
      return null;
    }
    JobQueue queue =
        JobQueue.builder(db)
            .schema(context.schema())
            .pollInterval(Duration.ofMillis(200))
            .maintenanceInterval(Duration.ofMillis(200))
            .handleInTx(
                "audit",
                Audit.class,
                (tx, job) -> {
                  tx.update(
                      "insert into pd_audit (account_id, note) values (?, 'debit')",
                      job.args().account());
                  return db.level();
                })
            .queue("default", 1)
            .build();
    try {
      queue.migrate();
      queue.start();
      return queue;
    } catch (RuntimeException e) {
      queue.close();
      throw e;
    }
  }

  private Measurement measure(
      Variant variant, StoryContext context, int completed, int deadlocked, Set<Integer> jobLevels)
      throws SQLException {
    long audits = context.queryLong("select count(*) from pd_audit");
    long debited = context.queryLong("select coalesce(sum(100 - balance), 0) from pd_account");
    boolean fault = deadlocked > 0 || completed != UNITS;
    String brief = deadlocked + " of " + UNITS + " deadlocked";
    String detail =
        variant == Variant.NAIVE
            ? deadlocked
                + " of "
                + UNITS
                + " units deadlocked on the pool of one (no result within "
                + DEADLOCK_WAIT.toMillis()
                + " ms each, then rolled back); "
                + completed
                + " completed, "
                + Plural.of(audits, "audit row")
            : completed
                + " of "
                + UNITS
                + " units completed with pools of one per level, "
                + (context.mariaDb()
                    ? "all through a db.context() executor (the job queue is PostgreSQL-only)"
                    : "half through a db.context() executor, half through queue.call")
                + " (jobs ran at level "
                + jobLevels.stream().map(String::valueOf).collect(Collectors.joining(", "))
                + " while their unit held level 0); "
                + deadlocked
                + " deadlocked, "
                + Plural.of(audits, "audit row")
                + ", "
                + Plural.of(debited, "debit");
    return Measurement.collect()
        .put("units", UNITS)
        .put("completed", completed)
        .put("deadlocked", deadlocked)
        .put("auditRows", audits)
        .put("debits", debited)
        .measured(fault, brief, detail);
  }
}
