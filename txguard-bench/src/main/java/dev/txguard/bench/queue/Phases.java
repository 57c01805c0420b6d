package dev.txguard.bench.queue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The measured phases of the queue benchmark, each on an emptied queue, each contender opened
 * afresh and closed before the phase's counters are read (so every backend flushed its statistics).
 */
final class Phases {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final long DRAIN_TIMEOUT_MILLIS = 600_000;

  private final Server server;
  private final java.nio.file.Path profileDir;

  /**
   * With {@code profileDir} non-null, each throughput phase also writes its statement profile
   * there.
   */
  Phases(Server server, java.nio.file.Path profileDir) {
    this.server = server;
    this.profileDir = profileDir;
  }

  static long jvmCpuNanos() {
    return OS.getProcessCpuTime();
  }

  private void clear(Contender.Factory factory, Contender.Work work) throws Exception {
    factory.clear(server);
    server.execute("truncate bench_q_side");
  }

  /**
   * Batch-enqueues {@code jobs} in batches of {@code batch}, then works them all with 16 threads.
   */
  Measured throughput(
      Contender.Factory factory, Contender.Work work, int round, int jobs, int batch)
      throws Exception {
    clear(factory, work);
    Tally tally = new Tally(jobs);
    double enqueueRate = enqueue(factory, work, tally, jobs, batch);
    for (String table : factory.tables()) {
      server.execute("vacuum analyze " + table);
    }
    try (Contender worker = factory.open(server, work, tally)) {
      long[] wal = profileDir == null ? null : server.startStatementProfile();
      Server.Counters before = server.counters();
      long cpu = jvmCpuNanos();
      worker.start();
      String check = drain(factory, tally, jobs);
      long end = System.nanoTime();
      long jvmCpu = jvmCpuNanos() - cpu;
      long serverCpu = server.cpuNanos();
      worker.stop();
      worker.close();
      Server.Counters delta = settledCounters().withServerCpu(serverCpu).minus(before);
      check += rowCheck(work, jobs);
      writeProfile(
          wal,
          work.name().toLowerCase(java.util.Locale.ROOT) + "-" + factory.name() + "-r" + round,
          jobs);
      double seconds = (end - tally.firstStartNanos()) / 1e9;
      return Measured.of(
          work == Contender.Work.NOOP ? "noop" : "row",
          round,
          factory.name(),
          jobs,
          seconds,
          jobs / seconds,
          enqueueRate,
          jvmCpu,
          delta,
          Double.NaN,
          Double.NaN,
          check);
    }
  }

  private void writeProfile(long[] walBefore, String name, long jobs) throws Exception {
    if (walBefore != null) {
      java.nio.file.Files.writeString(
          profileDir.resolve("statements-" + name + ".txt"),
          server.statementProfile(walBefore, jobs));
    }
  }

  /**
   * Enqueues ids 0 to jobs - 1 in batches from a contender opened (and closed) for that; returns
   * jobs/s.
   */
  private double enqueue(
      Contender.Factory factory, Contender.Work work, Tally tally, int jobs, int batch)
      throws Exception {
    try (Contender producer = factory.open(server, work, tally)) {
      long start = System.nanoTime();
      for (int first = 0; first < jobs; first += batch) {
        List<Contender.Item> items = new ArrayList<>(batch);
        long now = System.nanoTime();
        for (int id = first; id < Math.min(jobs, first + batch); id++) {
          items.add(new Contender.Item(id, now));
        }
        producer.enqueueBatch(items);
      }
      return jobs / ((System.nanoTime() - start) / 1e9);
    }
  }

  /**
   * Waits for every handler, then for the database to show every job finished; returns what failed.
   */
  String drain(Contender.Factory factory, Tally tally, int jobs) throws Exception {
    if (!tally.awaitFinished(jobs, DRAIN_TIMEOUT_MILLIS)) {
      return "only "
          + tally.finishedCount()
          + " of "
          + jobs
          + " handlers returned within "
          + DRAIN_TIMEOUT_MILLIS / 1000
          + " s; ";
    }
    long deadline = System.nanoTime() + 60_000_000_000L;
    long left;
    while ((left = factory.unfinished(server)) > 0) {
      if (System.nanoTime() > deadline) {
        return left + " jobs still unfinished in the database 60 s after their handlers returned; ";
      }
      Thread.sleep(2);
    }
    return tally.notExactlyOnce(jobs);
  }

  private String rowCheck(Contender.Work work, int jobs) throws Exception {
    if (work != Contender.Work.WRITE_ROW) {
      return "";
    }
    long rows = server.count("select count(distinct job_id) from bench_q_side");
    long all = server.count("select count(*) from bench_q_side");
    return rows == jobs && all == jobs
        ? ""
        : " side rows: " + all + " (" + rows + " distinct) of " + jobs;
  }

  private Server.Counters settledCounters() throws Exception {
    Thread.sleep(300); // ended backends report their statistics as they exit
    return server.counters();
  }

  /**
   * Offers {@code rate} jobs/s, one per transaction from one producer thread, for {@code seconds}
   * while the contender works; reports enqueue-call-start to handler-start latency (the first tenth
   * of the jobs left out as warm-up) and, per job, the commits and CPU of enqueueing and working.
   */
  Measured latency(Contender.Factory factory, int round, int rate, int seconds) throws Exception {
    clear(factory, Contender.Work.NOOP);
    int jobs = rate * seconds;
    Tally tally = new Tally(jobs);
    try (Contender c = factory.open(server, Contender.Work.NOOP, tally)) {
      c.start();
      Thread.sleep(1000);
      long[] wal = profileDir == null ? null : server.startStatementProfile();
      Server.Counters before = server.counters();
      long cpu = jvmCpuNanos();
      long start = System.nanoTime();
      for (int i = 0; i < jobs; i++) {
        long due = start + (long) (i * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        c.enqueueOne(new Contender.Item(i, System.nanoTime()));
      }
      double offered = jobs / ((System.nanoTime() - start) / 1e9);
      String check = drain(factory, tally, jobs);
      long jvmCpu = jvmCpuNanos() - cpu;
      long serverCpu = server.cpuNanos();
      c.stop();
      c.close();
      Server.Counters delta = settledCounters().withServerCpu(serverCpu).minus(before);
      writeProfile(wal, "latency-" + factory.name(), jobs);
      double[] lat = tally.latenciesMillis(jobs / 10, jobs);
      return Measured.of(
          "latency",
          round,
          factory.name(),
          jobs,
          seconds,
          offered,
          Double.NaN,
          jvmCpu,
          delta,
          Tally.percentile(lat, 50),
          Tally.percentile(lat, 99),
          check);
    }
  }

  /** The contender name of {@link #idleBaseline}'s measurement. */
  static final String SERVER_ALONE = "server alone";

  /**
   * The server's own transactions/s with no contender open, over {@code seconds} after {@code
   * warmup} seconds: autovacuum's (each vacuum and analyze of a table the earlier phases churned is
   * a transaction of its own) and this monitor's readings, which every contender's idle count
   * includes as well (pg_stat_database counts every backend's). Measured once, before the
   * contenders' idle windows.
   */
  Measured idleBaseline(int seconds, int warmup) throws Exception {
    Thread.sleep(warmup * 1000L);
    Server.Counters before = server.counters();
    Thread.sleep(seconds * 1000L);
    long serverCpu = server.cpuNanos();
    Server.Counters delta = server.counters().withServerCpu(serverCpu).minus(before);
    return Measured.of(
        "idle-baseline",
        1,
        SERVER_ALONE,
        seconds,
        seconds,
        delta.commits() / (double) seconds,
        Double.NaN,
        0,
        delta,
        Double.NaN,
        Double.NaN,
        "");
  }

  /**
   * A started queue with nothing to do: transactions/s and JVM CPU (as µs per second, so {@code
   * jvmCpuMicros / 1e4} is the percentage of one core) over {@code seconds}, after {@code warmup}
   * seconds (longer than the 10 s an idle backend may hold its statistics).
   */
  Measured idle(Contender.Factory factory, int seconds, int warmup) throws Exception {
    clear(factory, Contender.Work.NOOP);
    try (Contender c = factory.open(server, Contender.Work.NOOP, new Tally(1))) {
      c.start();
      Thread.sleep(warmup * 1000L);
      long[] wal = profileDir == null ? null : server.startStatementProfile();
      Server.Counters before = server.counters();
      long cpu = jvmCpuNanos();
      Thread.sleep(seconds * 1000L);
      long jvmCpu = jvmCpuNanos() - cpu;
      long serverCpu = server.cpuNanos();
      Server.Counters delta = server.counters().withServerCpu(serverCpu).minus(before);
      writeProfile(wal, "idle-" + factory.name() + "-per-second", seconds);
      // "jobs" = seconds: every per-job value reads as per second
      return Measured.of(
          "idle",
          1,
          factory.name(),
          seconds,
          seconds,
          delta.commits() / (double) seconds,
          Double.NaN,
          jvmCpu,
          delta,
          Double.NaN,
          Double.NaN,
          "");
    }
  }
}
