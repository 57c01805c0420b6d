package dev.txguard.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link UnitCostBenchmark} (stub JDBC, no server) for every contender at 1 and 8 threads with
 * JMH's gc profiler, and prints ns and bytes per unit, and each contender's cost over hand-written
 * JDBC. {@code run.sh --unit-cost [--quick] [--contenders jdbc,txguard,...] [--out DIR]}.
 */
final class UnitCost {
  private UnitCost() {}

  static void run(List<String> args) throws Exception {
    boolean quick = args.contains("--quick");
    int out = args.indexOf("--out");
    Path dir = Path.of(out >= 0 ? args.get(out + 1) : "txguard-bench/target/unit-cost");
    int only = args.indexOf("--contenders");
    String[] contenders =
        only >= 0
            ? args.get(only + 1).split(",")
            : new String[] {"jdbc", "txguard", "spring", "jdbi", "jooq"};
    Files.createDirectories(dir);
    Map<String, double[]> rows = new LinkedHashMap<>();
    for (int threads : new int[] {1, 8}) {
      Collection<RunResult> results =
          new Runner(
                  new OptionsBuilder()
                      .include(UnitCostBenchmark.class.getName() + "\\.")
                      .threads(threads)
                      .warmupIterations(quick ? 2 : 5)
                      .warmupTime(TimeValue.seconds(quick ? 1 : 2))
                      .measurementIterations(quick ? 3 : 5)
                      .measurementTime(TimeValue.seconds(quick ? 1 : 2))
                      .addProfiler(GCProfiler.class)
                      .param("contender", contenders)
                      // replaces the @Fork's jvmArgsAppend, so the stub switch is repeated here
                      .jvmArgsAppend(jvmArgs())
                      .resultFormat(ResultFormatType.JSON)
                      .result(dir.resolve("unit-cost-t" + threads + ".json").toString())
                      .output(dir.resolve("unit-cost-t" + threads + ".log").toString())
                      .build())
              .run();
      for (RunResult r : results) {
        String method = r.getParams().getBenchmark().replaceAll(".*\\.", "");
        String key = method + "/" + threads + "/" + r.getParams().getParam("contender");
        Result<?> primary = r.getPrimaryResult();
        Result<?> bytes = r.getSecondaryResults().get("gc.alloc.rate.norm");
        rows.put(
            key,
            new double[] {
              primary.getScore(),
              primary.getScoreError(),
              bytes == null ? Double.NaN : bytes.getScore()
            });
      }
    }
    String table = render(rows);
    System.out.println(table);
    Files.writeString(dir.resolve("unit-cost.md"), table);
  }

  private static String[] jvmArgs() {
    List<String> args =
        new ArrayList<>(
            List.of(
                "-D" + BenchSetup.STUB_PROPERTY + "=true",
                "-Xms1g",
                "-Xmx1g",
                "-Dorg.jooq.no-logo=true",
                "-Dorg.jooq.no-tips=true"));
    if (Runtime.version().feature() >= 24) {
      args.add("--sun-misc-unsafe-memory-access=allow"); // JMH 1.37 still uses sun.misc.Unsafe
    }
    return args.toArray(String[]::new);
  }

  private static String render(Map<String, double[]> rows) {
    StringBuilder sb =
        new StringBuilder(
            "| unit | threads | contender | ns/unit | ± 99.9% | B/unit | over jdbc, ns | over jdbc, B |\n"
                + "|---|---:|---|---:|---:|---:|---:|---:|\n");
    List<String> keys = new ArrayList<>(rows.keySet());
    for (String key : keys) {
      String[] k = key.split("/");
      double[] v = rows.get(key);
      double[] jdbc = rows.get(k[0] + "/" + k[1] + "/jdbc");
      String overNs =
          jdbc == null || k[2].equals("jdbc")
              ? "—"
              : String.format(Locale.ROOT, "%+,.0f", v[0] - jdbc[0]);
      String overB =
          jdbc == null || k[2].equals("jdbc")
              ? "—"
              : String.format(Locale.ROOT, "%+,.0f", v[2] - jdbc[2]);
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %,.0f | %,.0f | %,.0f | %s | %s |%n",
              k[0],
              k[1],
              k[2],
              v[0],
              v[1],
              v[2],
              overNs,
              overB));
    }
    return sb.toString();
  }
}
