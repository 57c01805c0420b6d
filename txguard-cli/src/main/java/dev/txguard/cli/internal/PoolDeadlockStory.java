package dev.txguard.cli.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.txguard.Database;
import dev.txguard.TxOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
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
 * <p>How the txguard variant hands work on is a {@link JobRunner}, so it can move to the job
 * queue's call-and-wait without touching the story.
 */
final class PoolDeadlockStory implements Story {
  static final int UNITS = 3;
  /** How long a unit waits for its job before the demo calls it deadlocked. */
  static final Duration DEADLOCK_WAIT = Duration.ofMillis(1500);
  private static final TxOptions UNIT = TxOptions.defaults().name("transfer-with-audit").timeout(Duration.ofSeconds(10));
  private static final TxOptions JOB = TxOptions.defaults().name("audit-job").timeout(Duration.ofSeconds(5));

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
    return "Runs " + UNITS + " units, each holding the only connection of a pool of one while it waits"
        + " for a job that needs a connection too. Counts units that deadlocked (no result within "
        + DEADLOCK_WAIT.toMillis() + " ms, then broken up) and units that completed.";
  }

  /** Runs a job somewhere else and hands back its future result. */
  @FunctionalInterface
  interface JobRunner {
    <T> Future<T> submit(Callable<T> job);
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
      int[] outcome = variant == Variant.NAIVE
          ? naive(context, executor, accounts)
          : txguard(context, executor, accounts, jobLevels);
      return measure(variant, context, outcome[0], outcome[1], jobLevels);
    } finally {
      executor.shutdownNow();
    }
  }

  // ---- naive ------------------------------------------------------------------------------------

  /** Returns {completed, deadlocked}. */
  private static int[] naive(StoryContext context, ExecutorService executor, int[] accounts) throws Exception {
    int completed = 0;
    int deadlocked = 0;
    // HikariCP's default connection timeout: a real application would wait this long, or forever
    try (HikariDataSource ds = context.plainPool("pool-deadlock", 1, Duration.ofSeconds(30), false)) {
      for (int account : accounts) {
        try (Connection c = ds.getConnection()) {
          Jdbc.update(c, "update pd_account set balance = balance - 1 where id = ?", account);
          Future<Void> job = executor.submit(() -> {
            try (Connection jobConnection = ds.getConnection()) {
              Jdbc.update(jobConnection, "insert into pd_audit (account_id, note) values (?, 'debit')", account);
              jobConnection.commit();
            }
            return null;
          });
          if (await(job)) {
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

  /** Waits for the job, at most {@link #DEADLOCK_WAIT}; on timeout cancels it so nothing hangs. */
  private static boolean await(Future<?> job) throws Exception {
    try {
      job.get(DEADLOCK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      job.cancel(true);
      return false;
    }
  }

  // ---- txguard ----------------------------------------------------------------------------------

  private static int[] txguard(StoryContext context, ExecutorService executor, int[] accounts,
      Set<Integer> jobLevels) throws Exception {
    int completed = 0;
    int deadlocked = 0;
    try (Database db = context.database().poolSize(1).levelPoolSize(1).maxLevels(2)
        .connectionTimeout(Duration.ofSeconds(5)).build()) {
      for (int account : accounts) {
        try {
          db.useTx(UNIT, tx -> {
            tx.update("update pd_account set balance = balance - 1 where id = ?", account);
            Future<Integer> job = oneLevelUp(db, executor).submit(() -> auditJob(db, account));
            if (!await(job)) {
              throw new TimeoutException("audit job gave no result within " + DEADLOCK_WAIT.toMillis() + " ms");
            }
            jobLevels.add(job.get());
          });
          completed++;
        } catch (TimeoutException e) {
          deadlocked++;
        }
      }
    }
    return new int[] {completed, deadlocked};
  }

  /** The job: its own unit, which needs a connection while its submitter holds one. */
  private static int auditJob(Database db, int account) {
    return db.inTx(JOB, tx -> {
      tx.update("insert into pd_audit (account_id, note) values (?, 'debit')", account);
      return db.level();
    });
  }

  /**
   * Runs jobs on {@code executor} one level above the calling unit, on the next level's pool. Call
   * it inside the unit: {@code db.context()} captures the level there.
   */
  private static JobRunner oneLevelUp(Database db, ExecutorService executor) {
    ExecutorService wrapped = db.context().wrap(executor);
    return new JobRunner() {
      @Override
      public <T> Future<T> submit(Callable<T> job) {
        return wrapped.submit(job);
      }
    };
  }

  private Measurement measure(
      Variant variant, StoryContext context, int completed, int deadlocked, Set<Integer> jobLevels)
      throws SQLException {
    long audits = context.queryLong("select count(*) from pd_audit");
    long debited = context.queryLong("select coalesce(sum(100 - balance), 0) from pd_account");
    boolean fault = deadlocked > 0 || completed != UNITS;
    String brief = deadlocked + " of " + UNITS + " deadlocked";
    String detail = variant == Variant.NAIVE
        ? deadlocked + " of " + UNITS + " units deadlocked on the pool of one (no result within "
            + DEADLOCK_WAIT.toMillis() + " ms each, then rolled back); " + completed + " completed, " + audits
            + " audit rows"
        : completed + " of " + UNITS + " units completed with pools of one per level (jobs ran at level "
            + jobLevels.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " while their unit held level 0); "
            + deadlocked + " deadlocked, " + audits + " audit rows, " + debited + " debits";
    return Measurement.collect()
        .put("units", UNITS)
        .put("completed", completed)
        .put("deadlocked", deadlocked)
        .put("auditRows", audits)
        .put("debits", debited)
        .measured(fault, brief, detail);
  }
}
