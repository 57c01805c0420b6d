package dev.txguard.bench.queue;

import java.util.Locale;

/**
 * One contender's numbers in one phase. Per-job values divide by the phase's jobs; NaN where a
 * value does not apply (pgbench has no JVM; a phase without latencies).
 *
 * @param jobsPerSecond worked jobs/s (first handler start to the last job finished in the
 *     database), or the offered-rate phase's achieved rate, or transactions/s for the idle and
 *     throttling phases
 * @param enqueuePerSecond jobs/s of the batch enqueue before the work
 * @param jvmCpuMicros JVM process CPU per job (all threads, JIT and GC included)
 * @param serverCpuMicros CPU of every PostgreSQL process per job, from /proc
 * @param commits pg_stat_database xact_commit delta per job (the monitor's own few statements
 *     included)
 * @param inserted pg_stat_user_tables n_tup_ins per job; likewise updated, hot (n_tup_hot_upd),
 *     deleted
 * @param p50Millis enqueue call start to handler start, 50th percentile; p99Millis the 99th
 * @param check empty when every job ran exactly once, else what went wrong
 */
record Measured(
    String phase,
    int round,
    String contender,
    long jobs,
    double seconds,
    double jobsPerSecond,
    double enqueuePerSecond,
    double jvmCpuMicros,
    double serverCpuMicros,
    double commits,
    double inserted,
    double updated,
    double hot,
    double deleted,
    double p50Millis,
    double p99Millis,
    String check) {

  static final String HEADER =
      "phase\tround\tcontender\tjobs\tseconds\tjobs_per_s\tenqueue_per_s\tjvm_cpu_us_per_job"
          + "\tpg_cpu_us_per_job\tcommits_per_job\tins_per_job\tupd_per_job\thot_upd_per_job\tdel_per_job\tp50_ms\tp99_ms"
          + "\tcheck";

  /** Per-job values from a phase's counter deltas. */
  static Measured of(
      String phase,
      int round,
      String contender,
      long jobs,
      double seconds,
      double rate,
      double enqueueRate,
      long jvmCpuNanos,
      Server.Counters delta,
      double p50,
      double p99,
      String check) {
    double n = jobs;
    return new Measured(
        phase,
        round,
        contender,
        jobs,
        seconds,
        rate,
        enqueueRate,
        jvmCpuNanos < 0 ? Double.NaN : jvmCpuNanos / 1e3 / n,
        delta.serverCpuNanos() < 0 ? Double.NaN : delta.serverCpuNanos() / 1e3 / n,
        delta.commits() / n,
        delta.inserted() / n,
        delta.updated() / n,
        delta.hotUpdated() / n,
        delta.deleted() / n,
        p50,
        p99,
        check);
  }

  String tsv() {
    return String.join(
        "\t",
        phase,
        Integer.toString(round),
        contender,
        Long.toString(jobs),
        f(seconds),
        f(jobsPerSecond),
        f(enqueuePerSecond),
        f(jvmCpuMicros),
        f(serverCpuMicros),
        f(commits),
        f(inserted),
        f(updated),
        f(hot),
        f(deleted),
        f(p50Millis),
        f(p99Millis),
        check.isEmpty() ? "ok" : check);
  }

  private static String f(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
  }
}
