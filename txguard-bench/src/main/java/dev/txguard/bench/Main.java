package dev.txguard.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The benchmark runner behind {@code txguard-bench/run.sh}: measures the database's limit with
 * pgbench, then every JMH contender with its baseline in the same run, then prints the ratio table.
 *
 * <pre>
 * run.sh                 short mode: 2 rounds of 1 fork, 2 x 1 s warm-up, 2 x 2 s measured (about 9 minutes)
 * run.sh --full          for publication: 3 rounds of 1 fork, 3 x 5 s warm-up, 5 x 5 s measured (about 50 minutes)
 * run.sh --smoke         checks the harness end to end in about 2 minutes; its numbers mean nothing
 * run.sh --prof gc       adds a JMH profiler (gc, stack, ...) to every JMH run
 * run.sh --only read     only the read unit (also: write, contention) and its limit
 * run.sh --rounds 1      overrides the mode's number of rounds (with --prof, one is usually enough)
 * run.sh --queue ...     the queue benchmark instead (issue 15; options in {@code queue.QueueBench})
 * run.sh --paired ...    the paired overhead run instead (issue 13; options in {@link Paired})
 * </pre>
 *
 * <p>A round runs every contender once; round 1 starts with the baseline, and each later round
 * starts one contender further along, so that no contender always runs in the same position. On a
 * small machine shared with other work, load comes in bursts of tens of seconds: a second round
 * minutes later gives every contender iterations in both quiet and busy stretches, which one long
 * trial per contender cannot.
 */
public final class Main {
  /** How long each part runs; the three modes differ only here. */
  private record Plan(
      String name,
      int rounds,
      int forks,
      int warmups,
      int warmupSeconds,
      int iterations,
      int iterationSeconds,
      int pgbenchSeconds) {}

  private static final Plan SHORT = new Plan("short", 2, 1, 2, 1, 2, 2, 6);
  private static final Plan FULL = new Plan("full", 3, 1, 3, 5, 5, 5, 30);
  private static final Plan SMOKE = new Plan("smoke", 1, 1, 0, 1, 1, 1, 3);

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--queue")) {
      dev.txguard.bench.queue.QueueBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("--paired")) {
      Paired.Result result = Paired.run(List.of(args).subList(1, args.length), System.out);
      if (result.failures() > 0) {
        System.exit(1); // a unit failed: its rate is not the contender's
      }
      return;
    }
    if (args.length > 0 && args[0].equals("--unit-cost")) {
      UnitCost.run(List.of(args).subList(1, args.length));
      return;
    }
    Plan plan = SHORT;
    List<String> profilers = new ArrayList<>();
    String only = null;
    Integer rounds = null;
    List<String> contenders = OVERHEAD_CONTENDERS;
    Path out = Path.of("txguard-bench/target/bench-results");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--full" -> plan = FULL;
        case "--short" -> plan = SHORT;
        case "--smoke" -> plan = SMOKE;
        case "--prof" -> profilers.add(value(args, ++i, "--prof"));
        case "--only" -> only = value(args, ++i, "--only");
        case "--out" -> out = Path.of(value(args, ++i, "--out"));
        case "--rounds" -> rounds = Integer.parseInt(value(args, ++i, "--rounds"));
        case "--contenders" -> contenders = contenders(value(args, ++i, "--contenders"));
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + args[i]
                    + "; use --full, --short, --smoke, --rounds N, --prof NAME, --only read|write|contention,"
                    + " --contenders A,B,..., --out DIR");
      }
    }
    if (rounds != null && rounds < 1) {
      throw new IllegalArgumentException("--rounds must be at least 1, was " + rounds);
    }
    if (rounds != null) {
      plan =
          new Plan(
              plan.name(),
              rounds,
              plan.forks(),
              plan.warmups(),
              plan.warmupSeconds(),
              plan.iterations(),
              plan.iterationSeconds(),
              plan.pgbenchSeconds());
    }
    if (only != null && !List.of("read", "write", "contention").contains(only)) {
      throw new IllegalArgumentException("--only takes read, write or contention, was " + only);
    }
    Files.createDirectories(out);
    try (var old = Files.newDirectoryStream(out, "*.{json,log,md,txt,sql}")) {
      for (Path p : old) {
        Files.delete(p); // a file left by an earlier run must not pass for this run's
      }
    }
    Path checks = out.resolve("contention-checks.txt");
    Files.deleteIfExists(checks);

    Report report = new Report(plan.name(), BenchSetup.url());
    report.overheadContenders(contenders);
    System.out.println("txguard-bench, " + plan.name() + " mode, against " + BenchSetup.url());
    System.out.println("results and JMH logs go to " + out.toAbsolutePath());

    // on MariaDB (TXGUARD_BENCH_URL=jdbc:mariadb:...) only the overhead units run: pgbench and the
    // contention benchmark's retry contenders are PostgreSQL's
    boolean mariadb = BenchSetup.url().startsWith("jdbc:mariadb:");
    if (mariadb) {
      System.out.println(
          "MariaDB: the overhead units only (no pgbench limit, no contention benchmark)");
    } else if (Limit.available()) {
      for (String unit : List.of("read", "write")) {
        if (only != null && !only.equals(unit)) {
          continue;
        }
        for (int clients : new int[] {1, 8}) {
          System.out.println(
              "limit: pgbench "
                  + unit
                  + ", "
                  + clients
                  + " client(s), "
                  + plan.pgbenchSeconds()
                  + " s");
          report.addLimit(Limit.run(unit, clients, plan.pgbenchSeconds(), out));
        }
      }
    } else {
      System.out.println("pgbench not found on PATH: the limit column stays empty");
    }

    for (int round = 1; round <= plan.rounds(); round++) {
      for (int threads : new int[] {1, 8}) {
        String methods = only == null ? "(read|write)" : only.equals("contention") ? null : only;
        if (methods == null) {
          continue;
        }
        System.out.println(
            "round "
                + round
                + "/"
                + plan.rounds()
                + ", JMH: overhead, "
                + threads
                + " thread(s): "
                + methods
                + " x "
                + contenders.size()
                + " contenders");
        report.add(
            run(
                plan,
                profilers,
                out,
                checks,
                "OverheadBenchmark\\." + methods + "$",
                threads,
                "overhead-t" + threads + "-r" + round,
                rotated(contenders, round - 1)));
      }
      if (!mariadb && (only == null || only.equals("contention"))) {
        System.out.println(
            "round "
                + round
                + "/"
                + plan.rounds()
                + ", JMH: contention, "
                + ContentionBenchmark.THREADS
                + " threads x 3 contenders");
        report.add(
            run(
                plan,
                profilers,
                out,
                checks,
                "ContentionBenchmark\\.transfer$",
                0,
                "contention-r" + round,
                rotated(CONTENTION_CONTENDERS, round - 1)));
      }
      report.roundDone();
    }
    if (Files.exists(checks)) {
      report.addChecks(Files.readAllLines(checks));
    }

    String table = report.render();
    System.out.println();
    System.out.println(table);
    Files.writeString(out.resolve("report.md"), table);
  }

  /**
   * The contenders in the order of their {@code @Param}; each round starts one further along, so no
   * contender always runs first (right after another benchmark) or last.
   */
  private static final List<String> OVERHEAD_CONTENDERS =
      List.of("jdbc", "txguard", "spring", "jdbi", "jooq");

  private static final List<String> CONTENTION_CONTENDERS = List.of("txguard", "jdbi", "immediate");

  /** Parses {@code --contenders jdbc,txguard,...}: known names, at least one. */
  private static List<String> contenders(String list) {
    List<String> names = List.of(list.split(","));
    for (String name : names) {
      if (!Units.NAMES.contains(name)) {
        throw new IllegalArgumentException(
            "--contenders takes names from "
                + String.join(",", Units.NAMES)
                + "; unknown: "
                + name);
      }
    }
    return names;
  }

  static List<String> rotated(List<String> contenders, int by) {
    List<String> order = new ArrayList<>(contenders);
    java.util.Collections.rotate(order, -(by % order.size()));
    return order;
  }

  private static Collection<RunResult> run(
      Plan plan,
      List<String> profilers,
      Path out,
      Path checks,
      String include,
      int threads,
      String name,
      List<String> contenders)
      throws Exception {
    List<String> jvmArgs =
        new ArrayList<>(
            List.of(
                "-Xms1g",
                "-Xmx1g",
                // jOOQ prints a banner and tips at first use; they would land in the middle of
                // JMH's log
                "-Dorg.jooq.no-logo=true",
                "-Dorg.jooq.no-tips=true",
                "-D" + ContentionBenchmark.CHECKS_PROPERTY + "=" + checks.toAbsolutePath()));
    if (Runtime.version().feature() >= 24) {
      jvmArgs.add("--sun-misc-unsafe-memory-access=allow"); // JMH 1.37 still uses sun.misc.Unsafe
    }
    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .include(include)
            .forks(plan.forks())
            .warmupIterations(plan.warmups())
            .warmupTime(TimeValue.seconds(plan.warmupSeconds()))
            .measurementIterations(plan.iterations())
            .measurementTime(TimeValue.seconds(plan.iterationSeconds()))
            .timeout(TimeValue.minutes(2))
            .timeUnit(TimeUnit.SECONDS)
            .jvmArgsAppend(jvmArgs.toArray(String[]::new))
            .shouldFailOnError(false)
            .resultFormat(ResultFormatType.JSON)
            .result(out.resolve(name + ".json").toString())
            .output(out.resolve(name + ".log").toString());
    if (threads > 0) {
      options.threads(threads);
    }
    options.param("contender", contenders.toArray(String[]::new));
    System.out.println("  order: " + String.join(", ", contenders));
    options.addProfiler(ProcessCpuProfiler.class);
    for (String profiler : profilers) {
      options.addProfiler(profiler);
    }
    return new Runner(options.build()).run();
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }
}
