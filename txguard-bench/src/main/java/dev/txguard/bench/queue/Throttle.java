package dev.txguard.bench.queue;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.txguard.Database;
import dev.txguard.queue.JobQueue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether enqueueing slows the users' own transactions: 8 producer threads each commit, as fast as
 * they can, one business row per transaction, or one business row plus one txguard job (enqueued in
 * the same unit). Two more variants measure what any enqueue that inserts a row in the users'
 * transaction costs: the business row plus a second, minimal business row (one more statement and
 * one more small row: the floor of an INSERT-based transactional enqueue), and the business row
 * plus a db-scheduler execution scheduled in the same transaction (its {@code SchedulerClient} on
 * {@link Database#dataSource()}, which hands out the unit's connection, as a transaction-aware
 * DataSource does for db-scheduler under Spring). The variants alternate in the same run; the queue
 * is not started (its workers would take CPU from the producers), so the only difference is the
 * enqueue itself. A warm-up stretch of each variant comes first, and the order of the variants
 * rotates from round to round, so that neither the JIT's work nor a drift of the machine's load
 * falls on one variant.
 */
final class Throttle {
  static final int PRODUCERS = 8;
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private final Server server;
  private final java.nio.file.Path profileDir;

  /**
   * With {@code profileDir} non-null, each stretch also writes its statement profile and WAL per
   * producer transaction there.
   */
  Throttle(Server server, java.nio.file.Path profileDir) {
    this.server = server;
    this.profileDir = profileDir;
  }

  /**
   * For {@link Variant#WITH_JOB_LISTENED}: a session named and listening as another process's
   * control connection of the benchmark's schema; null otherwise.
   */
  private java.sql.Connection listener(Variant variant) throws java.sql.SQLException {
    if (variant != Variant.WITH_JOB_LISTENED) {
      return null;
    }
    java.sql.Connection c = java.sql.DriverManager.getConnection(server.url());
    try (java.sql.Statement st = c.createStatement()) {
      st.execute(
          "select set_config('application_name', 'txguard "
              + TxguardContender.SCHEMA
              + " another-process', false)");
      st.execute("listen " + TxguardContender.SCHEMA + "_jobs");
    }
    return c;
  }

  static void install(Server server) throws Exception {
    for (String table : List.of("bench_q_business", "bench_q_business2")) {
      server.execute(
          "create table if not exists "
              + table
              + " (id bigint generated always as identity primary key, producer int not null,"
              + " amount int not null, created_at timestamptz not null default now())");
    }
    DbSchedulerContender.FACTORY.install(server);
  }

  /**
   * One stretch of {@code seconds} of each variant, not measured (the listened one shares the job
   * variant's code): every variant's code (the queue's enqueue path, Jackson's serialisers,
   * db-scheduler's client, pgjdbc's statement caches) is compiled before the first measured
   * stretch, so that round 1 does not charge one variant with the JIT's work.
   */
  void warmUp(int seconds) throws Exception {
    for (Variant v : Variant.values()) {
      if (v != Variant.WITH_JOB_LISTENED) {
        stretch(0, v, seconds, false);
      }
    }
  }

  /**
   * What the producers commit: the business row alone; with a job; with a job while another process
   * listens for the queue's announcements (a session named as its control connection, as a worker
   * process's is), so that the announcer sends its NOTIFY units; with a second minimal row; or with
   * a db-scheduler execution.
   */
  enum Variant {
    ROW_ALONE("throttle-row-alone", "row alone"),
    WITH_JOB("throttle-with-job", "with job"),
    WITH_JOB_LISTENED("throttle-with-job-listened", "with job, listened"),
    WITH_SECOND_ROW("throttle-with-second-row", "with a second row"),
    WITH_DB_SCHEDULER("throttle-with-db-scheduler", "with a db-scheduler execution");

    final String phase;
    final String label;

    Variant(String phase, String label) {
      this.phase = phase;
      this.label = label;
    }
  }

  /** One stretch of {@code seconds} of {@code variant}. */
  Measured run(int round, Variant variant, int seconds) throws Exception {
    return stretch(round, variant, seconds, true);
  }

  private Measured stretch(int round, Variant variant, int seconds, boolean record)
      throws Exception {
    TxguardContender.FACTORY.clear(server);
    DbSchedulerContender.FACTORY.clear(server);
    server.execute("truncate bench_q_business, bench_q_business2");
    boolean withJob = variant == Variant.WITH_JOB || variant == Variant.WITH_JOB_LISTENED;
    try (java.sql.Connection listener = listener(variant);
        TxguardContender c =
            (TxguardContender)
                TxguardContender.FACTORY.open(server, Contender.Work.NOOP, new Tally(1))) {
      Database db = c.db();
      JobQueue queue = c.queue();
      OneTimeTask<Void> task = Tasks.oneTime("bench").execute((instance, context) -> {});
      SchedulerClient dbScheduler =
          SchedulerClient.Builder.create(db.dataSource(), task)
              .tableName(DbSchedulerContender.TABLE)
              .build();
      AtomicLong done = new AtomicLong();
      AtomicLong producerCpu = new AtomicLong();
      long[] wal = profileDir == null || !record ? null : server.startStatementProfile();
      long deadline = System.nanoTime() + seconds * 1_000_000_000L;
      Server.Counters before = server.counters();
      long cpu = Phases.jvmCpuNanos();
      long start = System.nanoTime();
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < PRODUCERS; p++) {
        int producer = p;
        threads.add(
            Thread.ofPlatform()
                .name("producer-" + p)
                .start(
                    () -> {
                      long own = THREADS.getCurrentThreadCpuTime();
                      while (System.nanoTime() < deadline) {
                        db.inTx(
                            tx -> {
                              tx.update(
                                  "insert into bench_q_business (producer, amount) values (?, ?)",
                                  producer,
                                  1);
                              switch (variant) {
                                case ROW_ALONE -> {}
                                case WITH_JOB, WITH_JOB_LISTENED ->
                                    queue.enqueue(
                                        tx, new Contender.Item(producer, System.nanoTime()));
                                case WITH_SECOND_ROW ->
                                    tx.update(
                                        "insert into bench_q_business2 (producer, amount) values (?, ?)",
                                        producer,
                                        1);
                                case WITH_DB_SCHEDULER ->
                                    dbScheduler.scheduleIfNotExists(
                                        task.instance(producer + ":" + System.nanoTime()),
                                        Instant.now());
                              }
                              return null;
                            });
                        done.incrementAndGet();
                      }
                      producerCpu.addAndGet(THREADS.getCurrentThreadCpuTime() - own);
                    }));
      }
      for (Thread t : threads) {
        t.join();
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      long jvmCpu = Phases.jvmCpuNanos() - cpu;
      if (!record) {
        return null;
      }
      // where the JVM's CPU went: the producer threads themselves (the users' code, txguard's unit,
      // the enqueue, pgjdbc) or everything else (JIT, GC, the announcer, the pool)
      System.out.printf(
          java.util.Locale.ROOT,
          "  %s round %d: JVM CPU per transaction %.0f µs, of which producer threads %.0f µs%n",
          variant.label,
          round,
          jvmCpu / 1e3 / done.get(),
          producerCpu.get() / 1e3 / done.get());
      long serverCpu = server.cpuNanos();
      c.close();
      Thread.sleep(300);
      Server.Counters delta = server.counters().withServerCpu(serverCpu).minus(before);
      if (wal != null) {
        java.nio.file.Files.writeString(
            profileDir.resolve("statements-" + variant.phase + "-r" + round + ".txt"),
            server.statementProfile(wal, done.get()));
      }
      long rows = server.count("select count(*) from bench_q_business");
      long jobs = server.count("select count(*) from " + TxguardContender.SCHEMA + ".job");
      long second = server.count("select count(*) from bench_q_business2");
      long executions = server.count("select count(*) from " + DbSchedulerContender.TABLE);
      boolean expected =
          rows == done.get()
              && jobs == (withJob ? rows : 0)
              && second == (variant == Variant.WITH_SECOND_ROW ? rows : 0)
              && executions == (variant == Variant.WITH_DB_SCHEDULER ? rows : 0);
      String check =
          expected
              ? ""
              : "business rows "
                  + rows
                  + ", jobs "
                  + jobs
                  + ", second rows "
                  + second
                  + ", db-scheduler executions "
                  + executions
                  + ", transactions "
                  + done.get();
      return Measured.of(
          variant.phase,
          round,
          "txguard-queue",
          done.get(),
          elapsed,
          done.get() / elapsed,
          Double.NaN,
          jvmCpu,
          delta,
          Double.NaN,
          Double.NaN,
          check);
    }
  }
}
