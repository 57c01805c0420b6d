package dev.txguard.bench.queue;

import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The queue benchmark of issue 15: txguard-queue, db-scheduler, JobRunr and the pgbench lifecycle
 * limit side by side on one PostgreSQL, in interleaved rounds. {@code run.sh --queue [options]}:
 *
 * <pre>
 * --smoke                 tiny sizes, seconds; checks that every contender ran every job exactly once
 * --rounds N              no-op throughput rounds (default 5), after one unmeasured warm-up round of
 *                         each queue (and of the row handler when that phase runs)
 * --jobs N --batch N      jobs per throughput phase and enqueue batch (default 20000, 1000)
 * --row-rounds N          rounds of the row-writing handler (default 2, with jobs / 2)
 * --rate N --latency-seconds N   the offered-rate phase (default 200 jobs/s for 30 s)
 * --throttle-seconds N    each stretch of the throttling phase (default 10; max(2, --rounds) rounds of
 *                         alone, with a job, and with a job while another process listens, in
 *                         rotating order, after a warm-up stretch of alone and with)
 * --idle-seconds N        the idle phase (default 30, after 12 s of warm-up), first with no
 *                         contender open (the server's own transactions, which each contender's
 *                         count includes too), then each contender
 * --only a,b              phases: noop, row, latency, throttle, idle (default all of these), and
 *                         share (only when named; see {@link Share}): two queue processes sharing
 *                         one queue at a fixed rate, per claim setting, then a killed process
 * --handler-ms N --share-rate N --share-seconds N --share-rounds N
 *                         the share phase: handler sleep (default 20 ms), offered jobs/s (default
 *                         half the two processes' capacity), seconds per claim setting (default 30)
 *                         and rounds (default 1); --share-enqueue-in-a (process A enqueues, so it hears
 *                         first), --share-exponential (handler times exponential around N ms),
 *                         --share-no-kill (skip the killed-process check)
 * --contenders a,b        txguard, db-scheduler, jobrunr, pgbench (default all)
 * --sustained --rate N --minutes N [--jobs-per-tx N] [--sustained-warmup-seconds N]
 *                         the sustained run instead (see {@link Sustained}); first, not measured, the
 *                         rate offered for N s to a queue of its own (default 60, 0: none);
 *                         --sustained-percent P instead of --rate: P% of the no-op median that the
 *                         same run measures first (--rounds rounds of --jobs jobs)
 * --url JDBC-URL          a server of yours instead of the embedded one (tables bench_* and schema
 *                         bench_txguard are dropped and recreated)
 * --out DIR               where results go (default txguard-bench/target/queue-results)
 * --statements            also write each throughput phase's (or each sustained minute's)
 *                         pg_stat_statements and pg_stat_wal per job
 *                         (statements-*.txt; the embedded server preloads the extension)
 * </pre>
 */
public final class QueueBench {
  private static final Map<String, Contender.Factory> FACTORIES =
      Map.of(
          "txguard", TxguardContender.FACTORY,
          "db-scheduler", DbSchedulerContender.FACTORY,
          "jobrunr", JobRunrContender.FACTORY);

  private QueueBench() {}

  /**
   * Runs with {@code args} (see the class comment) and returns the report; throws on bad options.
   */
  public static QueueReport run(List<String> args, PrintStream out) throws Exception {
    Options parsed = Options.parse(args);
    Options o =
        parsed.contenders().contains("pgbench") && !PgbenchLimit.available()
            ? parsed.withoutPgbench()
            : parsed;
    if (o != parsed) {
      out.println("pgbench not found on the PATH: the limit column stays empty");
    }
    Files.createDirectories(o.out());
    try (Server server = Server.open(o.url())) {
      out.println(
          "txguard-bench --queue"
              + (o.smoke() ? " (smoke)" : "")
              + " at "
              + Instant.now()
              + " on "
              + server.describe());
      install(server, o);
      QueueReport report = new QueueReport();
      if (o.sustained()) {
        Sustained.run(server, FACTORIES.get(o.contenders().getFirst()), o, out);
        return report;
      }
      List<String> lines = new ArrayList<>(List.of(Measured.HEADER));
      Recorder recorder =
          m -> {
            report.add(m);
            lines.add(m.tsv());
            out.println("  " + m.tsv());
          };
      measure(server, o, recorder, out);
      String text = describe(server, o) + "\n" + report.table() + "\n" + report.throttle() + "\n";
      out.println(text);
      report.failures().forEach(f -> out.println("FAILED " + f));
      Files.write(o.out().resolve("queue-results.tsv"), lines);
      Files.writeString(o.out().resolve("queue-report.md"), text);
      return report;
    }
  }

  /**
   * Before the measured rounds, one unmeasured round of each queue, of each kind of work measured
   * (not in --smoke): the JIT compiles the queues' worker paths, pgjdbc's and the JDK's while it
   * runs. Without it the first rounds charged each contender's JVM CPU with its compilations (a
   * profile of 20,000-job rounds: the compiler threads took about half of txguard's JVM CPU per job
   * in round 2 and still 44% in round 3); every contender gets the same warm-up.
   */
  private static void warmUp(Phases phases, Options o, PrintStream out) throws Exception {
    if (o.smoke()) {
      return;
    }
    for (String name : queues(o)) {
      if (o.phase("noop")) {
        out.println("warm-up, no-op, " + o.jobs() + " jobs: " + name + " (not measured)");
        phases.throughput(FACTORIES.get(name), Contender.Work.NOOP, 0, o.jobs(), o.batch());
      }
      if (o.phase("row")) {
        int jobs = Math.max(1, o.jobs() / 2);
        out.println("warm-up, row, " + jobs + " jobs: " + name + " (not measured)");
        phases.throughput(
            FACTORIES.get(name), Contender.Work.WRITE_ROW, 0, jobs, Math.min(o.batch(), jobs));
      }
    }
  }

  /** Takes each phase's result as it comes. */
  private interface Recorder {
    void record(Measured m);
  }

  private static void measure(Server server, Options o, Recorder recorder, PrintStream out)
      throws Exception {
    Phases phases = new Phases(server, o.statements() ? o.out() : null);
    warmUp(phases, o, out);
    for (int round = 1; round <= o.rounds() && o.phase("noop"); round++) {
      List<String> order = rotated(o.contenders(), round - 1);
      out.println("round " + round + "/" + o.rounds() + ", no-op, " + o.jobs() + " jobs: " + order);
      for (String name : order) {
        recorder.record(
            name.equals("pgbench")
                ? PgbenchLimit.run(server, round, o.jobs(), o.out())
                : phases.throughput(
                    FACTORIES.get(name), Contender.Work.NOOP, round, o.jobs(), o.batch()));
      }
    }
    for (int round = 1; round <= o.rowRounds() && o.phase("row"); round++) {
      for (String name : rotated(queues(o), round - 1)) {
        recorder.record(
            phases.throughput(
                FACTORIES.get(name),
                Contender.Work.WRITE_ROW,
                round,
                Math.max(1, o.jobs() / 2),
                Math.min(o.batch(), Math.max(1, o.jobs() / 2))));
      }
    }
    for (String name : o.phase("latency") ? queues(o) : List.<String>of()) {
      recorder.record(phases.latency(FACTORIES.get(name), 1, o.rate(), o.latencySeconds()));
    }
    if (o.phase("throttle") && o.contenders().contains("txguard")) {
      Throttle throttle = new Throttle(server, o.statements() ? o.out() : null);
      throttle.warmUp(o.throttleSeconds());
      List<Throttle.Variant> variants = List.of(Throttle.Variant.values());
      // two rounds at least, so that no variant always runs first; one in smoke mode
      for (int round = 1; round <= (o.smoke() ? 1 : Math.max(2, o.rounds())); round++) {
        for (Throttle.Variant v : rotated(variants, round - 1)) {
          recorder.record(throttle.run(round, v, o.throttleSeconds()));
        }
      }
    }
    if (o.phase("idle")) {
      recorder.record(phases.idleBaseline(o.idleSeconds(), o.idleWarmup()));
    }
    for (String name : o.phase("idle") ? queues(o) : List.<String>of()) {
      recorder.record(phases.idle(FACTORIES.get(name), o.idleSeconds(), o.idleWarmup()));
    }
    if (o.phase("share")) {
      new Share(server, o).run(phases, recorder::record, out);
    }
  }

  public static void main(String[] args) throws Exception {
    QueueReport report = run(List.of(args), System.out);
    if (!report.failures().isEmpty()) {
      System.exit(1);
    }
  }

  private static void install(Server server, Options o) throws Exception {
    server.execute("create table if not exists bench_q_side (job_id int not null)");
    Throttle.install(server);
    for (String name : queues(o)) {
      FACTORIES.get(name).install(server);
    }
    if (o.contenders().contains("pgbench")) {
      PgbenchLimit.install(server);
    }
  }

  private static List<String> queues(Options o) {
    return o.contenders().stream().filter(FACTORIES::containsKey).toList();
  }

  private static <T> List<T> rotated(List<T> names, int by) {
    List<T> r = new ArrayList<>(names);
    java.util.Collections.rotate(r, -(by % Math.max(1, names.size())));
    return r;
  }

  private static String describe(Server server, Options o) throws Exception {
    StringBuilder s =
        new StringBuilder(
            "server: " + server.describe() + "\nsettings: " + o + "\nconfigurations:\n");
    for (String name : o.contenders()) {
      s.append("- ")
          .append(name)
          .append(": ")
          .append(
              name.equals("pgbench")
                  ? PgbenchLimit.configuration()
                  : FACTORIES.get(name).configuration())
          .append('\n');
    }
    return s.toString();
  }
}
