package dev.txguard.bench.queue;

import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The sustained run: one contender offered {@code rate} jobs/s for {@code minutes} while it works,
 * with per minute the jobs started, the enqueue→start p50/p99, the job table's size and dead rows.
 * Jobs are offered by 8 producer threads, {@code perTx} jobs per transaction (default 1; each
 * transaction is due when its first job is). Does the rate hold as the table churns? Run it at 70%
 * of the contender's measured no-op throughput: {@code run.sh --queue --sustained --contenders
 * txguard --rate 700 --minutes 10}. The throughput phases enqueue in batches, so that offering them
 * one job per transaction also charges the producers' commits (about as much CPU as working a job
 * on a small machine): {@code --jobs-per-tx 100} offers the rate the way it was measured. Unless
 * {@code --sustained-warmup-seconds 0}, the rate is first offered for that long (default 60 s) to a
 * contender of its own, not measured, so that the first measured minute shows the queue, not the
 * JIT compiling it. Each minute's line also has the server's CPU per job started (µs, every process
 * of the server, autovacuum included), the autovacuum runs finished on the table so far and the
 * phase of the one running at the minute's end. With {@code --statements}, {@code
 * sustained-<name>-statements.txt} has each minute's pg_stat_statements and pg_stat_wal per job
 * started in it (the extension is reset at each minute's start).
 */
final class Sustained {
  /**
   * Producer threads, each enqueueing every 8th job on the shared schedule: one alone cannot offer
   * hundreds of durable commits a second on a loaded machine.
   */
  private static final int PRODUCERS = 8;

  private Sustained() {}

  static void run(Server server, Contender.Factory factory, Options o, PrintStream out)
      throws Exception {
    String how = "the given --rate";
    int rate = o.rate();
    if (o.sustainedPercent() > 0) {
      double median = measuredThroughput(server, factory, o, out);
      rate = Math.max(1, (int) Math.round(median * o.sustainedPercent() / 100));
      how =
          String.format(
              Locale.ROOT,
              "%d%% of the no-op median measured before it, %.0f jobs/s",
              o.sustainedPercent(),
              median);
    }
    int minutes = o.minutes();
    int perTx = o.perTx();
    factory.clear(server);
    int jobs = rate * 60 * minutes;
    Tally tally = new Tally(jobs);
    String table = factory.tables().getFirst();
    List<String> lines =
        new ArrayList<>(
            List.of(
                "# " + rate + " jobs/s offered: " + how,
                "minute\tenqueued_total\tstarted_per_s\tp50_ms\tp99_ms\ttable_kb\tdead_rows"
                    + "\tserver_cpu_us_per_job\tautovacuum_cpu_us_per_job\tjvm_cpu_us_per_job"
                    + "\tautovacuums\tvacuum_phase"));
    StringBuilder profile = new StringBuilder();
    out.println(
        "sustained: "
            + factory.name()
            + " at "
            + rate
            + " jobs/s ("
            + how
            + ") for "
            + minutes
            + " min, "
            + perTx
            + " job(s) per producer transaction");
    if (o.sustainedWarmupSeconds() > 0) {
      warmUp(server, factory, rate, o.sustainedWarmupSeconds(), perTx, out);
    }
    try (Contender c = factory.open(server, Contender.Work.NOOP, tally);
        ServerCpu.AutovacuumSampler vacuumCpu = server.autovacuumSampler()) {
      c.start();
      AtomicInteger enqueued = new AtomicInteger();
      long[] wal = o.statements() ? server.startStatementProfile() : null;
      long cpu = server.cpuNanos();
      long vacuum = vacuumCpu.nanos();
      long jvm = Phases.jvmCpuNanos();
      long start = System.nanoTime();
      List<Thread> producers = offer(c, jobs, rate, perTx, start, enqueued);
      for (int minute = 1; minute <= minutes; minute++) {
        long end = start + minute * 60_000_000_000L;
        LockSupport.parkNanos(end - System.nanoTime());
        double[] lat = tally.latenciesMillis(0, jobs, end - 60_000_000_000L, end);
        long cpuNow = server.cpuNanos();
        long vacuumNow = vacuumCpu.nanos();
        long jvmNow = Phases.jvmCpuNanos();
        long kb = server.count("select pg_total_relation_size('" + table + "') / 1024");
        String where = " where relid = '" + table + "'::regclass";
        long dead =
            server.count("select coalesce(sum(n_dead_tup), 0) from pg_stat_user_tables" + where);
        long vacuums =
            server.count(
                "select coalesce(sum(autovacuum_count), 0) from pg_stat_user_tables" + where);
        String phase =
            server.text(
                "select coalesce(string_agg(phase, ','), '-') from pg_stat_progress_vacuum"
                    + where);
        String line =
            String.format(
                Locale.ROOT,
                "%d\t%d\t%.1f\t%.1f\t%.1f\t%d\t%d\t%.0f\t%.0f\t%.0f\t%d\t%s",
                minute,
                enqueued.get(),
                lat.length / 60.0,
                Tally.percentile(lat, 50),
                Tally.percentile(lat, 99),
                kb,
                dead,
                perJob(cpu, cpuNow, lat.length),
                perJob(vacuum, vacuumNow, lat.length),
                perJob(jvm, jvmNow, lat.length),
                vacuums,
                phase.replace(' ', '_'));
        cpu = cpuNow;
        vacuum = vacuumNow;
        jvm = jvmNow;
        lines.add(line);
        out.println("  " + line);
        if (wal != null) {
          profile
              .append("# minute ")
              .append(minute)
              .append(", per job started in it (")
              .append(lat.length)
              .append(")\n")
              .append(server.statementProfile(wal, Math.max(1, lat.length)))
              .append('\n');
          wal = server.startStatementProfile();
        }
      }
      for (Thread t : producers) {
        t.join();
      }
      boolean drained = tally.awaitFinished(jobs, 120_000);
      String check =
          drained
              ? tally.notExactlyOnce(jobs)
              : "only "
                  + tally.finishedCount()
                  + " of "
                  + jobs
                  + " jobs finished 120 s after the last enqueue";
      lines.add("# " + (check.isEmpty() ? "every job ran exactly once" : check));
      out.println("  " + lines.getLast());
      c.stop();
    }
    Files.write(o.out().resolve("sustained-" + factory.name() + ".tsv"), lines);
    if (o.statements()) {
      Files.writeString(
          o.out().resolve("sustained-" + factory.name() + "-statements.txt"), profile.toString());
    }
  }

  /** Microseconds per job of a CPU counter's growth, or NaN without the counter or jobs. */
  private static double perJob(long before, long after, int jobs) {
    return before < 0 || after < 0 || jobs == 0 ? Double.NaN : (after - before) / 1000.0 / jobs;
  }

  /**
   * The no-op throughput the rate is a percentage of: one unmeasured round, then {@code --rounds}
   * rounds of {@code --jobs} jobs batch-enqueued and worked, as the no-op phase measures them
   * (vacuumed table, no producers); returns their median in jobs/s.
   */
  private static double measuredThroughput(
      Server server, Contender.Factory factory, Options o, PrintStream out) throws Exception {
    Phases phases = new Phases(server, null);
    phases.throughput(factory, Contender.Work.NOOP, 0, o.jobs(), o.batch());
    double[] rates = new double[o.rounds()];
    for (int round = 1; round <= rates.length; round++) {
      rates[round - 1] =
          phases
              .throughput(factory, Contender.Work.NOOP, round, o.jobs(), o.batch())
              .jobsPerSecond();
    }
    out.println(
        "  no-op throughput, "
            + o.jobs()
            + " jobs a round, after one unmeasured round: "
            + java.util.Arrays.toString(rates)
            + " jobs/s");
    java.util.Arrays.sort(rates);
    int mid = rates.length / 2;
    return rates.length % 2 == 1 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2;
  }

  /**
   * Offers the rate for {@code seconds} to a contender of its own, waits for its jobs to finish,
   * and empties its table: the JVM's JIT compiles the producers', the queue's and the driver's
   * paths before the measured first minute, as the throughput phases' unmeasured warm-up round
   * does.
   */
  private static void warmUp(
      Server server, Contender.Factory factory, int rate, int seconds, int perTx, PrintStream out)
      throws Exception {
    int jobs = rate * seconds;
    Tally tally = new Tally(jobs);
    try (Contender c = factory.open(server, Contender.Work.NOOP, tally)) {
      c.start();
      AtomicInteger enqueued = new AtomicInteger();
      for (Thread t : offer(c, jobs, rate, perTx, System.nanoTime(), enqueued)) {
        t.join();
      }
      boolean drained = tally.awaitFinished(jobs, 120_000);
      out.println(
          "  warm-up, not measured: "
              + jobs
              + " jobs offered over "
              + seconds
              + " s, "
              + (drained ? "all finished" : "only " + tally.finishedCount() + " finished"));
      c.stop();
    }
    factory.clear(server);
  }

  /**
   * Starts the producer threads that offer {@code jobs} jobs at {@code rate} jobs/s from {@code
   * start} ({@link System#nanoTime()}), {@code perTx} per transaction, counting them in {@code
   * enqueued}.
   */
  private static List<Thread> offer(
      Contender c, int jobs, int rate, int perTx, long start, AtomicInteger enqueued) {
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      int first = p;
      producers.add(
          Thread.ofPlatform()
              .name("sustained-producer-" + p)
              .start(
                  () -> {
                    try {
                      for (int b = first; (long) b * perTx < jobs; b += PRODUCERS) {
                        int from = b * perTx;
                        long wait = start + (long) (from * 1e9 / rate) - System.nanoTime();
                        if (wait > 0) {
                          LockSupport.parkNanos(wait);
                        }
                        int to = Math.min(jobs, from + perTx);
                        long now = System.nanoTime();
                        if (perTx == 1) {
                          c.enqueueOne(new Contender.Item(from, now));
                        } else {
                          List<Contender.Item> items = new ArrayList<>(to - from);
                          for (int i = from; i < to; i++) {
                            items.add(new Contender.Item(i, now));
                          }
                          c.enqueueBatch(items);
                        }
                        enqueued.addAndGet(to - from);
                      }
                    } catch (Exception e) {
                      throw new IllegalStateException(
                          "a sustained producer failed after " + enqueued.get() + " jobs", e);
                    }
                  }));
    }
    return producers;
  }
}
