package dev.txguard.bench.queue;

import dev.txguard.Database;
import dev.txguard.queue.JobQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

/**
 * What claiming ahead costs when processes share a queue with a shallow backlog ({@code --only
 * share}). Two queue processes (a {@link Database} and a {@link JobQueue} each, in this JVM) work
 * queue "default" of one schema with concurrency 16 each; their handlers sleep {@code
 * --handler-ms}. A third queue, not started, offers jobs at a fixed rate (by default half the two
 * processes' capacity) from {@link #PRODUCERS} threads, one job per transaction, so that both
 * processes learn of new jobs the same way (by NOTIFY); with {@code --share-enqueue-in-a} process A
 * enqueues them itself instead (its own fetcher woken at once, B's by NOTIFY, as when the process
 * that takes requests also works the queue). For each claim setting (prefetch / fetchBatchSize,
 * {@link #CLAIMS}) it reports enqueue→start p50 / p99 / max (the first tenth of the jobs left out
 * as warm-up), each process's share of the jobs started and its p99.
 *
 * <p>Then, once per setting, what a process that dies strands ({@link ShareDeath}): process A runs
 * in a child JVM ({@link ShareVictim}) beside process B in this one, for a few seconds under the
 * same offered rate or (a second time) with a backlog enqueued before they start, and is killed
 * with SIGKILL; the producer stops at the kill. Counted: the jobs A's leases still held (of them,
 * those A had started and those it held prefetched, never started), the lease they had left, and
 * when B's maintenance had rescued them all and when every job had completed. The lease is the
 * default, 30 s (3 s in smoke mode, which kills only with the largest setting; {@code
 * --share-no-kill} leaves the death check out).
 */
final class Share {
  /** One claim setting. */
  record Claims(int prefetch, int fetchBatchSize) {
    String label() {
      return prefetch + " / " + fetchBatchSize;
    }
  }

  /** The default, the README's advice, and the two larger claims of the no-op experiment. */
  static final List<Claims> CLAIMS =
      List.of(new Claims(0, 20), new Claims(16, 20), new Claims(48, 64), new Claims(112, 128));

  static final int CONCURRENCY = 16;
  static final int PRODUCERS = 4;
  static final String VICTIM = "share-victim";

  private final Server server;
  private final Options.Share o;
  private final boolean smoke;
  private final Path out;
  private final List<String> fairness = new ArrayList<>();

  Share(Server server, Options o) {
    this.server = server;
    this.o = o.share();
    this.smoke = o.smoke();
    this.out = o.out();
  }

  /** Offered jobs/s: the option, or half of the two processes' capacity. */
  int rate() {
    return o.rate() > 0 ? o.rate() : Math.max(1, CONCURRENCY * 1000 / o.handlerMs());
  }

  static Database database(Server server, int poolSize) {
    return Database.builder().url(server.url()).poolSize(poolSize).build();
  }

  /**
   * A queue process as the README advises it (pool of concurrency + 1) with the given claims; its
   * handler calls {@code started} with the job's id and enqueue time, sleeps {@code handlerMs} (or,
   * {@code exponential}, a time exponentially distributed with that mean), and returns.
   */
  static JobQueue worker(
      Database db,
      Claims c,
      String owner,
      Duration lease,
      int handlerMs,
      boolean exponential,
      Started started) {
    return JobQueue.builder(db)
        .schema(TxguardContender.SCHEMA)
        .owner(owner)
        .queue("default", CONCURRENCY)
        .prefetch(c.prefetch())
        .fetchBatchSize(c.fetchBatchSize())
        .leaseDuration(lease)
        .handle(
            TxguardContender.KIND,
            Contender.Item.class,
            job -> {
              started.started(job.args().id(), job.args().enqueuedNanos());
              // exponential: -mean * ln(U), U uniform in (0, 1]
              Thread.sleep(
                  exponential
                      ? Math.round(
                          -handlerMs * Math.log(1 - ThreadLocalRandom.current().nextDouble()))
                      : handlerMs);
              started.finished();
              return null;
            })
        .build();
  }

  /** What a worker's handler reports. */
  interface Started {
    void started(int id, long enqueuedNanos);

    void finished();
  }

  static JobQueue producer(Database db) {
    return JobQueue.builder(db)
        .schema(TxguardContender.SCHEMA)
        .declare(TxguardContender.KIND, Contender.Item.class)
        .build();
  }

  /**
   * Offers ids 0 to jobs - 1, job i due at start + i / rate, from {@link #PRODUCERS} threads (so
   * that one slow commit does not hold the others back); returns the achieved rate.
   */
  static double offer(JobQueue producer, int jobs, int rate) throws InterruptedException {
    long start = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      int first = p;
      threads.add(
          Thread.ofPlatform()
              .name("share-producer-" + p)
              .start(
                  () -> {
                    for (int i = first; i < jobs; i += PRODUCERS) {
                      long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
                      if (wait > 0) {
                        LockSupport.parkNanos(wait);
                      }
                      producer.enqueue(new Contender.Item(i, System.nanoTime()));
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    return jobs / ((System.nanoTime() - start) / 1e9);
  }

  /** Every fairness run (rounds × settings, rotated), then the death check of each setting. */
  void run(Phases phases, java.util.function.Consumer<Measured> recorder, java.io.PrintStream log)
      throws Exception {
    TxguardContender.FACTORY.install(server);
    log.printf(
        Locale.ROOT,
        "share: 2 processes x concurrency %d, handler %s%d ms, offered %d jobs/s for %d s per setting,"
            + " %d round(s), enqueued by %s%n",
        CONCURRENCY,
        o.exponential() ? "mean " : "",
        o.handlerMs(),
        rate(),
        o.seconds(),
        o.rounds(),
        o.enqueueInA() ? "process A" : "a third process");
    // not recorded: the JIT's work, the pools' first connections, the caches, before the first
    // setting
    fairness(phases, CLAIMS.get(1), 0, smoke ? 1 : 5, log);
    for (int round = 1; round <= o.rounds(); round++) {
      List<Claims> order = new ArrayList<>(CLAIMS);
      java.util.Collections.rotate(order, -(round - 1));
      for (Claims c : order) {
        recorder.accept(fairness(phases, c, round, o.seconds(), log));
      }
    }
    // the death check's jobs are enqueued by a third process, with or without --share-enqueue-in-a
    ShareDeath death = new ShareDeath(server, o, smoke, rate());
    for (boolean backlog : o.kill() ? List.of(false, true) : List.<Boolean>of()) {
      // smoke mode checks the harness, not the settings: one death (the largest claim, which
      // strands the most) each way instead of one per setting, 6 child JVMs fewer
      for (Claims c : smoke ? CLAIMS.subList(CLAIMS.size() - 1, CLAIMS.size()) : CLAIMS) {
        recorder.accept(death.run(c, backlog, log));
      }
    }
    String text = table() + death.table();
    log.println(text);
    Files.writeString(out.resolve("share-report.md"), text);
  }

  /** One run of setting {@code c} for {@code seconds}; round 0 is the warm-up, not recorded. */
  private Measured fairness(
      Phases phases, Claims c, int round, int seconds, java.io.PrintStream log) throws Exception {
    TxguardContender.FACTORY.clear(server);
    int jobs = rate() * seconds;
    Tally tally = new Tally(jobs);
    AtomicIntegerArray by = new AtomicIntegerArray(jobs); // 1: process A, 2: process B
    try (Database dbA = database(server, CONCURRENCY + 1);
        Database dbB = database(server, CONCURRENCY + 1);
        Database dbP = database(server, PRODUCERS + 1);
        JobQueue a =
            worker(
                dbA,
                c,
                "share-a",
                Duration.ofSeconds(30),
                o.handlerMs(),
                o.exponential(),
                on(tally, by, 1));
        JobQueue b =
            worker(
                dbB,
                c,
                "share-b",
                Duration.ofSeconds(30),
                o.handlerMs(),
                o.exponential(),
                on(tally, by, 2));
        JobQueue producer = producer(dbP)) {
      a.start();
      b.start();
      Thread.sleep(1000);
      Server.Counters before = server.counters();
      long cpu = Phases.jvmCpuNanos();
      double offered = offer(o.enqueueInA() ? a : producer, jobs, rate());
      String check = phases.drain(TxguardContender.FACTORY, tally, jobs);
      long jvmCpu = Phases.jvmCpuNanos() - cpu;
      long serverCpu = server.cpuNanos();
      Server.Counters delta = server.counters().withServerCpu(serverCpu).minus(before);
      int from = jobs / 10;
      double[] all = latencies(tally, by, from, jobs, 0);
      double[] ofA = latencies(tally, by, from, jobs, 1);
      double[] ofB = latencies(tally, by, from, jobs, 2);
      String row =
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %,.0f | %.1f / %.1f / %.1f | %.1f / %.1f | %.0f%% / %.0f%% | %.2f | %,.0f | %s |",
              c.label(),
              round,
              jobs,
              offered,
              Tally.percentile(all, 50),
              Tally.percentile(all, 99),
              all.length == 0 ? Double.NaN : all[all.length - 1],
              Tally.percentile(ofA, 99),
              Tally.percentile(ofB, 99),
              100.0 * ofA.length / Math.max(1, all.length),
              100.0 * ofB.length / Math.max(1, all.length),
              delta.commits() / (double) jobs,
              delta.serverCpuNanos() / 1e3 / jobs,
              load());
      if (round > 0) {
        fairness.add(row);
      }
      log.println("  " + (round > 0 ? "" : "warm-up ") + row);
      return Measured.of(
          "share " + c.label(),
          round,
          QueueReport.TXGUARD,
          jobs,
          seconds,
          offered,
          Double.NaN,
          jvmCpu,
          delta,
          Tally.percentile(all, 50),
          Tally.percentile(all, 99),
          check);
    }
  }

  static Started on(Tally tally, AtomicIntegerArray by, int process) {
    return new Started() {
      @Override
      public void started(int id, long enqueuedNanos) {
        tally.started(id, enqueuedNanos);
        by.compareAndSet(id, 0, process);
      }

      @Override
      public void finished() {
        tally.finished();
      }
    };
  }

  /** Sorted latencies (ms) of ids in {@code [from, to)} started by {@code process} (0: any). */
  private static double[] latencies(
      Tally tally, AtomicIntegerArray by, int from, int to, int process) {
    return IntStream.range(from, to)
        .filter(i -> by.get(i) != 0 && (process == 0 || by.get(i) == process))
        .mapToDouble(tally::latencyMillis)
        .sorted()
        .toArray();
  }

  /** The 1-minute load average (what else the machine ran meanwhile), from /proc/loadavg. */
  static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "-";
    }
  }

  /** The fairness table, markdown. */
  String table() {
    return String.format(
            Locale.ROOT,
            "share: 2 processes x concurrency %d, handler sleeps %s%d ms, offered %d jobs/s"
                + " (capacity %d jobs/s) %s, %d s per setting%n%n",
            CONCURRENCY,
            o.exponential() ? "on average (exponentially distributed) " : "",
            o.handlerMs(),
            rate(),
            2 * CONCURRENCY * 1000 / o.handlerMs(),
            o.enqueueInA() ? "enqueued by process A itself" : "enqueued by a third process",
            o.seconds())
        + "| prefetch / fetchBatchSize | round | jobs | offered jobs/s | enqueue→start p50 / p99 / max ms"
        + " | p99 of A / of B, ms | jobs started by A / B | commits per job | PostgreSQL CPU per job, µs"
        + " | load (1 min) |\n|---|---|---|---|---|---|---|---|---|---|\n"
        + String.join("\n", fairness)
        + "\n";
  }
}
