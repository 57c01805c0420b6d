package dev.txguard.bench.queue;

import dev.txguard.Database;
import dev.txguard.queue.JobQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether enqueueing slows the users' own transactions: 8 producer threads each commit, as fast as
 * they can, one business row per transaction, or one business row plus one txguard job (enqueued in
 * the same unit). The two variants alternate in the same run; the queue is not started (its workers
 * would take CPU from the producers), so the only difference is the enqueue itself. A warm-up
 * stretch of each variant comes first, and the order of the two variants alternates from round to
 * round, so that neither the JIT's work nor a drift of the machine's load falls on one variant.
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

  static void install(Server server) throws Exception {
    server.execute(
        "create table if not exists bench_q_business (id bigint generated always as identity"
            + " primary key, producer int not null, amount int not null, created_at timestamptz not null default now())");
  }

  /**
   * One stretch of {@code seconds} of each variant, not measured: both variants' code (the queue's
   * enqueue path, Jackson's serialisers, pgjdbc's statement caches) is compiled before the first
   * measured stretch, so that round 1 does not charge one variant with the JIT's work.
   */
  void warmUp(int seconds) throws Exception {
    stretch(0, false, seconds, false);
    stretch(0, true, seconds, false);
  }

  /** One stretch of {@code seconds}: business row alone, or with a job. */
  Measured run(int round, boolean withJob, int seconds) throws Exception {
    return stretch(round, withJob, seconds, true);
  }

  private Measured stretch(int round, boolean withJob, int seconds, boolean record)
      throws Exception {
    TxguardContender.FACTORY.clear(server);
    server.execute("truncate bench_q_business");
    try (TxguardContender c =
        (TxguardContender)
            TxguardContender.FACTORY.open(server, Contender.Work.NOOP, new Tally(1))) {
      Database db = c.db();
      JobQueue queue = c.queue();
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
                              if (withJob) {
                                queue.enqueue(tx, new Contender.Item(producer, System.nanoTime()));
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
          withJob ? "with job" : "row alone",
          round,
          jvmCpu / 1e3 / done.get(),
          producerCpu.get() / 1e3 / done.get());
      long serverCpu = server.cpuNanos();
      c.close();
      Thread.sleep(300);
      Server.Counters delta = server.counters().withServerCpu(serverCpu).minus(before);
      if (wal != null) {
        java.nio.file.Files.writeString(
            profileDir.resolve(
                "statements-throttle-"
                    + (withJob ? "with-job" : "row-alone")
                    + "-r"
                    + round
                    + ".txt"),
            server.statementProfile(wal, done.get()));
      }
      long rows = server.count("select count(*) from bench_q_business");
      long jobs = server.count("select count(*) from " + TxguardContender.SCHEMA + ".job");
      String check =
          rows == done.get() && jobs == (withJob ? rows : 0)
              ? ""
              : "business rows " + rows + ", jobs " + jobs + ", transactions " + done.get();
      return Measured.of(
          withJob ? "throttle-with-job" : "throttle-row-alone",
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
