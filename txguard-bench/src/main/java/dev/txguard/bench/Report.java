package dev.txguard.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.ListStatistics;
import org.openjdk.jmh.util.Statistics;

/**
 * Turns one run's results into the tables of BENCHMARKS.md. Ratios are always txguard divided by
 * the other contender, so above 1 means txguard did more work per second. The headline ratio is of
 * medians (robust to one noisy iteration); the ± beside it propagates JMH's 99.9% confidence
 * intervals of both means, so a ratio whose ± reaches across a target has not shown it.
 *
 * <p>Samples are per measured iteration, pooled over all rounds: a contender measured in two
 * rounds, minutes apart, has both rounds' iterations in its median, so a burst of foreign load on
 * the machine lands on every contender instead of on whichever ran during it.
 */
final class Report {
  private static final double OVERHEAD_TARGET = 0.97;
  private static final double GOODPUT_TARGET = 1.5;
  private static final double CONFIDENCE = 0.999;

  /** Iteration scores of one contender in one benchmark: the primary score and JMH's counters. */
  private record Samples(ListStatistics primary, Map<String, ListStatistics> secondary) {
    Samples() {
      this(new ListStatistics(), new LinkedHashMap<>());
    }
  }

  private final String mode;
  private final String url;
  private final Map<String, Limit.Result> limits = new LinkedHashMap<>();
  private final Map<String, Samples> samples = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> checks = new LinkedHashMap<>();

  /** The overhead contenders this run measures, in the order the table lists them. */
  private List<String> overheadContenders = List.of("jdbc", "txguard", "spring", "jdbi", "jooq");

  private int rounds;

  Report(String mode, String url) {
    this.mode = mode;
    this.url = url;
  }

  void addLimit(Limit.Result result) {
    limits.put(result.unit() + "/" + result.clients(), result);
  }

  void roundDone() {
    rounds++;
  }

  /**
   * Pools every measured iteration of {@code results} under its benchmark, threads and contender.
   */
  void add(Collection<RunResult> results) {
    for (RunResult r : results) {
      String benchmark = r.getParams().getBenchmark();
      String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
      String key =
          method + "/" + r.getParams().getThreads() + "/" + r.getParams().getParam("contender");
      Samples s = samples.computeIfAbsent(key, k -> new Samples());
      for (BenchmarkResult br : r.getBenchmarkResults()) {
        for (IterationResult ir : br.getIterationResults()) {
          s.primary().addValue(ir.getPrimaryResult().getScore());
          // JMH declares this map with the raw Result type
          for (String counter : ir.getSecondaryResults().keySet()) {
            double score = ir.getSecondaryResults().get(counter).getScore();
            s.secondary().computeIfAbsent(counter, k -> new ListStatistics()).addValue(score);
          }
        }
      }
    }
  }

  /**
   * Folds in the key=value lines the contention trials append after their balance check, one per
   * trial: a contender is exact only if every one of its trials was, and its counts add up.
   */
  void addChecks(List<String> lines) {
    for (String line : lines) {
      Map<String, String> fields = new LinkedHashMap<>();
      for (String pair : line.trim().split(" ")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          fields.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
      }
      String contender = fields.get("contender");
      if (contender == null) {
        continue;
      }
      Map<String, String> merged = checks.get(contender);
      if (merged == null) {
        checks.put(contender, fields);
        continue;
      }
      merged.put(
          "exact",
          String.valueOf("true".equals(merged.get("exact")) && "true".equals(fields.get("exact"))));
      merged.put("balanceSum", fields.get("balanceSum"));
      for (String counter :
          List.of("units", "committed", "gaveUp", "retries", "retriesSeenByLibrary")) {
        merged.put(
            counter, String.valueOf(parse(merged.get(counter)) + parse(fields.get(counter))));
      }
    }
  }

  private static long parse(String value) {
    try {
      return value == null ? 0 : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  String render() {
    StringBuilder sb = new StringBuilder();
    sb.append("Mode: ")
        .append(mode)
        .append(", ")
        .append(rounds)
        .append(" round(s); server: ")
        .append(url)
        .append("; pool: ")
        .append(BenchSetup.describePool());
    String pinned = System.getProperty("txguard.bench.pinned");
    if (pinned != null) {
      sb.append("; pinned: ").append(pinned);
    }
    sb.append("\n\n");
    List<String> verdicts = new ArrayList<>();
    renderOverhead(sb, verdicts);
    renderReset(sb);
    renderContention(sb, verdicts);
    renderLimits(sb);
    if (!verdicts.isEmpty()) {
      sb.append("\nTargets (median ratios; ± is the propagated 99.9% CI of the means)\n\n");
      for (String v : verdicts) {
        sb.append("- ").append(v).append('\n');
      }
    }
    return sb.toString();
  }

  /**
   * Sets the overhead contenders the run measures (all five APIs unless {@code --contenders} says
   * otherwise).
   */
  void overheadContenders(List<String> contenders) {
    this.overheadContenders = List.copyOf(contenders);
  }

  /**
   * The measured contenders that are APIs compared with each other (not the session-change pair).
   */
  private List<String> apis() {
    return overheadContenders.stream().filter(c -> !c.startsWith("txguard-set-")).toList();
  }

  /**
   * The session-change pair: the same txguard unit with {@code SET LOCAL} (no reset) and with
   * {@code SET} (reset at hand-back); the difference in time per unit and thread is the reset.
   */
  private void renderReset(StringBuilder sb) {
    StringBuilder rows = new StringBuilder();
    for (String unit : List.of("read", "write")) {
      for (int threads : new int[] {1, 8}) {
        Samples local = samples.get(unit + "/" + threads + "/txguard-set-local");
        Samples session = samples.get(unit + "/" + threads + "/txguard-set-session");
        if (local == null
            || session == null
            || local.primary().getN() == 0
            || session.primary().getN() == 0) {
          continue;
        }
        double l = median(local.primary());
        double r = median(session.primary());
        double extraMicros = threads * (1e6 / r - 1e6 / l);
        rows.append("| ")
            .append(unit)
            .append(" | ")
            .append(threads)
            .append(" | ")
            .append(number(l))
            .append(" | ")
            .append(number(r))
            .append(" | ")
            .append(ratio(session.primary(), local.primary()))
            .append(" | ")
            .append(String.format(java.util.Locale.ROOT, "%.0f", extraMicros))
            .append(" |\n");
      }
    }
    if (rows.isEmpty()) {
      return;
    }
    sb.append(
        "Session reset: the txguard unit with `SET LOCAL application_name` first (no reset) against"
            + " the same with `SET application_name` (reset with DISCARD ALL at hand-back).\n\n");
    sb.append(
        "| unit | threads | SET LOCAL ops/s | SET ops/s | SET ÷ SET LOCAL | reset µs per unit |\n");
    sb.append("|---|---:|---:|---:|---:|---:|\n");
    sb.append(rows).append('\n');
  }

  private void renderOverhead(StringBuilder sb, List<String> verdicts) {
    StringBuilder rows = new StringBuilder();
    for (String unit : List.of("read", "write")) {
      for (int threads : new int[] {1, 8}) {
        Samples txguard = samples.get(unit + "/" + threads + "/txguard");
        boolean any = false;
        for (String contender : apis()) {
          any |= samples.containsKey(unit + "/" + threads + "/" + contender);
        }
        if (!any) {
          continue;
        }
        Limit.Result limit = limits.get(unit + "/" + threads);
        for (String contender : apis()) {
          Samples s = samples.get(unit + "/" + threads + "/" + contender);
          if (s == null || s.primary().getN() == 0) {
            rows.append(
                row(
                    unit,
                    String.valueOf(threads),
                    contender,
                    "FAILED (see the JMH log)",
                    "",
                    "",
                    "",
                    ""));
            continue;
          }
          Statistics score = s.primary();
          String ratio =
              contender.equals("txguard") || txguard == null
                  ? "—"
                  : ratio(txguard.primary(), score);
          String ofLimit = limit == null ? "" : percent(median(score) / limit.median());
          rows.append(
              row(
                  unit,
                  String.valueOf(threads),
                  contender,
                  number(median(score)),
                  number(score.getMean()) + " ± " + number(error(score)),
                  String.valueOf(score.getN()),
                  ratio,
                  ofLimit,
                  micros(cpu(s))));
          if (txguard != null && !contender.equals("txguard")) {
            verdicts.add(overheadVerdict(unit, threads, contender, txguard.primary(), score));
            if (contender.equals("jdbc")) {
              verdicts.add(cpuVerdict(unit, threads, txguard, s));
            }
          }
        }
      }
    }
    if (rows.isEmpty()) {
      return;
    }
    sb.append(
        "| unit | threads | contender | median ops/s | mean ± 99.9% CI | n | txguard ÷ this | of DB limit"
            + " | JVM CPU µs/op |\n");
    sb.append("|---|---:|---|---:|---:|---:|---:|---:|---:|\n");
    sb.append(rows).append('\n');
  }

  private static String overheadVerdict(
      String unit, int threads, String contender, Statistics txguard, Statistics other) {
    double r = median(txguard) / median(other);
    if (contender.equals("jdbc")) {
      return String.format(
          Locale.ROOT,
          "%s, %d thread(s): inTx overhead vs hand-written JDBC %+.1f%% (ratio %s; target ≤ 3%%): %s",
          unit,
          threads,
          (1 / r - 1) * 100,
          ratio(txguard, other),
          verdict(txguard, other, OVERHEAD_TARGET));
    }
    return String.format(
        Locale.ROOT,
        "%s, %d thread(s): txguard ÷ %s = %s (target ≥ 1): %s",
        unit,
        threads,
        contender,
        ratio(txguard, other),
        verdict(txguard, other, 1));
  }

  /**
   * The overhead measured as CPU, which foreign load hardly moves: the JVM CPU txguard adds per
   * unit, as a share of the time one unit takes at the baseline's throughput (per thread, or per
   * core when threads outnumber cores). At one thread the work is serial, so this share is the
   * slowdown; with more threads than cores it is the share of the machine the wrapper takes.
   */
  private static String cpuVerdict(String unit, int threads, Samples txguard, Samples jdbc) {
    double extra = cpu(txguard) - cpu(jdbc);
    int lanes = Math.min(threads, Runtime.getRuntime().availableProcessors());
    double share = extra * median(jdbc.primary()) / (lanes * 1e9);
    if (Double.isNaN(share)) {
      return unit + ", " + threads + " thread(s): no CPU samples";
    }
    return String.format(
        Locale.ROOT,
        "%s, %d thread(s): txguard adds %+.1f µs of JVM CPU per unit (%.1f vs %.1f µs), %+.1f%% of a unit's"
            + " time at the JDBC throughput: %s by this CPU estimate (compare runs before trusting a few %%)",
        unit,
        threads,
        extra / 1000,
        cpu(txguard) / 1000,
        cpu(jdbc) / 1000,
        share * 100,
        share <= 0.03 ? "within 3%" : "over 3%");
  }

  /** Median JVM CPU nanoseconds per operation, from {@link ProcessCpuProfiler}. */
  private static double cpu(Samples s) {
    ListStatistics cpu = s.secondary().get("cpu.ns/op");
    return cpu == null ? Double.NaN : median(cpu);
  }

  private static String micros(double nanos) {
    return Double.isNaN(nanos) ? "" : String.format(Locale.ROOT, "%.1f", nanos / 1000);
  }

  /**
   * "met" or "MISSED" by the median ratio, and "not shown" beside either when the ratio's error bar
   * reaches across the target: on a noisy run a median on the right side proves nothing.
   */
  private static String verdict(Statistics txguard, Statistics other, double target) {
    double r = median(txguard) / median(other);
    double err = ratioError(txguard, other);
    String byMedian = r >= target ? "met" : "MISSED";
    boolean shown = !Double.isNaN(err) && (r >= target ? r - err >= target : r + err < target);
    return shown
        ? byMedian
        : byMedian + " by the median, not shown (the error bar spans the target)";
  }

  private void renderContention(StringBuilder sb, List<String> verdicts) {
    StringBuilder rows = new StringBuilder();
    Samples txguard = samples.get("transfer/" + ContentionBenchmark.THREADS + "/txguard");
    for (String contender : List.of("txguard", "jdbi", "immediate")) {
      Samples s = samples.get("transfer/" + ContentionBenchmark.THREADS + "/" + contender);
      Map<String, String> check = checks.getOrDefault(contender, Map.of());
      String sum =
          check.isEmpty()
              ? "not checked"
              : ("true".equals(check.get("exact")) ? "exact (" : "WRONG (")
                  + check.get("balanceSum")
                  + ")";
      if (s == null || s.primary().getN() == 0) {
        if (!check.isEmpty()
            || samples.keySet().stream().anyMatch(k -> k.startsWith("transfer/"))) {
          rows.append("| ")
              .append(contender)
              .append(" | FAILED (see the JMH log) | | | | | | | ")
              .append(sum)
              .append(" | |\n");
        }
        continue;
      }
      Statistics committed = s.primary();
      double retriesPerCommit =
          parse(check.get("retries")) / (double) parse(check.get("committed"));
      String ratio =
          contender.equals("txguard") || txguard == null
              ? "—"
              : ratio(txguard.primary(), committed);
      rows.append(
          row(
              contender,
              number(median(committed)),
              number(committed.getMean()) + " ± " + number(error(committed)),
              String.valueOf(committed.getN()),
              String.format(Locale.ROOT, "%.2f", retriesPerCommit),
              check.getOrDefault("committed", ""),
              check.getOrDefault("gaveUp", ""),
              check.getOrDefault("retries", ""),
              sum,
              ratio));
      if (txguard != null && !contender.equals("txguard")) {
        verdicts.add(
            String.format(
                Locale.ROOT,
                "contention: txguard goodput ÷ %s = %s (target ≥ 1.5): %s",
                contender,
                ratio(txguard.primary(), committed),
                verdict(txguard.primary(), committed, GOODPUT_TARGET)));
      }
    }
    if (rows.isEmpty()) {
      return;
    }
    for (Map.Entry<String, Map<String, String>> e : checks.entrySet()) {
      if (!"true".equals(e.getValue().get("exact"))) {
        verdicts.add("contention: balance sum of " + e.getKey() + " is WRONG: " + e.getValue());
      }
    }
    if (!checks.isEmpty()
        && checks.values().stream().allMatch(c -> "true".equals(c.get("exact")))) {
      verdicts.add("contention: balance sum exact after every trial: met");
    }
    Map<String, String> tx = checks.get("txguard");
    if (tx != null) {
      verdicts.add(
          "contention: txguard retries counted by TxListener.onRetry "
              + tx.get("retriesSeenByLibrary")
              + ", by counting callback runs "
              + tx.get("retries"));
    }
    sb.append(
        "| contender | committed/s median | mean ± 99.9% CI | n | retries per commit"
            + " | committed (all trials) | gave up (all trials) | retries (all trials) | balance sum | txguard ÷ this |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
    sb.append(rows).append('\n');
  }

  private void renderLimits(StringBuilder sb) {
    if (limits.isEmpty()) {
      return;
    }
    sb.append("| limit: pgbench, pipelined | clients | median tps | min – max (per second) |\n");
    sb.append("|---|---:|---:|---:|\n");
    for (Limit.Result l : limits.values()) {
      sb.append("| ")
          .append(l.unit())
          .append(" | ")
          .append(l.clients())
          .append(" | ")
          .append(number(l.median()))
          .append(" | ")
          .append(number(l.min()))
          .append(" – ")
          .append(number(l.max()))
          .append(" |\n");
    }
  }

  private static double median(Statistics s) {
    return s.getN() == 0 ? Double.NaN : s.getPercentile(50);
  }

  private static double error(Statistics s) {
    return s.getN() <= 2 ? Double.NaN : s.getMeanErrorAt(CONFIDENCE);
  }

  /** Median ratio, with the relative errors of both means added in quadrature. */
  private static String ratio(Statistics txguard, Statistics other) {
    double r = median(txguard) / median(other);
    double err = ratioError(txguard, other);
    return Double.isNaN(err)
        ? String.format(Locale.ROOT, "%.3f", r)
        : String.format(Locale.ROOT, "%.3f ± %.3f", r, err);
  }

  private static double ratioError(Statistics txguard, Statistics other) {
    double ea = error(txguard) / txguard.getMean();
    double eb = error(other) / other.getMean();
    return median(txguard) / median(other) * Math.sqrt(ea * ea + eb * eb);
  }

  private static String row(String... cells) {
    return "| " + String.join(" | ", cells) + " |\n";
  }

  private static String number(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String percent(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.0f%%", v * 100);
  }
}
