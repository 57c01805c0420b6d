package dev.txguard.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.Statistics;

/**
 * Turns one run's results into the tables of BENCHMARKS.md. Ratios are always txguard divided by
 * the other contender, so above 1 means txguard did more work per second. The headline ratio is
 * of medians (robust to one noisy iteration); the ± beside it propagates JMH's 99.9% confidence
 * intervals of both means, so a ratio whose ± reaches across a target has not shown it.
 */
final class Report {
  private static final double OVERHEAD_TARGET = 0.97;
  private static final double GOODPUT_TARGET = 1.5;

  private final String mode;
  private final String url;
  private final Map<String, Limit.Result> limits = new LinkedHashMap<>();
  private final List<RunResult> overhead = new ArrayList<>();
  private final List<RunResult> contention = new ArrayList<>();
  private final Map<String, Map<String, String>> checks = new LinkedHashMap<>();

  Report(String mode, String url) {
    this.mode = mode;
    this.url = url;
  }

  void addLimit(Limit.Result result) {
    limits.put(result.unit() + "/" + result.clients(), result);
  }

  void addOverhead(Collection<RunResult> results) {
    overhead.addAll(results);
  }

  void addContention(Collection<RunResult> results) {
    contention.addAll(results);
  }

  /** Parses the key=value lines the contention trials append after their balance check. */
  void addChecks(List<String> lines) {
    for (String line : lines) {
      Map<String, String> fields = new LinkedHashMap<>();
      for (String pair : line.trim().split(" ")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          fields.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
      }
      if (fields.containsKey("contender")) {
        checks.put(fields.get("contender"), fields);
      }
    }
  }

  String render() {
    StringBuilder sb = new StringBuilder();
    sb.append("Mode: ").append(mode).append("; server: ").append(url).append("; pool: ")
        .append(BenchSetup.describePool()).append("\n\n");
    List<String> verdicts = new ArrayList<>();
    renderOverhead(sb, verdicts);
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

  private void renderOverhead(StringBuilder sb, List<String> verdicts) {
    if (overhead.isEmpty()) {
      return;
    }
    sb.append("| unit | threads | contender | median ops/s | mean ± 99.9% CI | txguard ÷ this | of DB limit |\n");
    sb.append("|---|---:|---|---:|---:|---:|---:|\n");
    for (String unit : List.of("read", "write")) {
      for (int threads : new int[] {1, 8}) {
        Map<String, RunResult> byContender = new LinkedHashMap<>();
        for (RunResult r : overhead) {
          if (r.getParams().getBenchmark().endsWith("." + unit) && r.getParams().getThreads() == threads) {
            byContender.put(r.getParams().getParam("contender"), r);
          }
        }
        if (byContender.isEmpty()) {
          continue;
        }
        Limit.Result limit = limits.get(unit + "/" + threads);
        Result<?> txguard = byContender.containsKey("txguard") ? byContender.get("txguard").getPrimaryResult() : null;
        for (String contender : List.of("jdbc", "txguard", "spring", "jdbi", "jooq")) {
          RunResult r = byContender.get(contender);
          if (r == null) {
            sb.append(row(unit, String.valueOf(threads), contender, "FAILED (see the JMH log)", "", "", ""));
            continue;
          }
          Result<?> score = r.getPrimaryResult();
          String ratio = contender.equals("txguard") || txguard == null ? "—" : ratio(txguard, score);
          String ofLimit = limit == null ? "" : percent(median(score) / limit.median());
          sb.append(row(unit, String.valueOf(threads), contender, number(median(score)),
              number(score.getScore()) + " ± " + number(score.getScoreError()), ratio, ofLimit));
          if (txguard != null && !contender.equals("txguard")) {
            verdicts.add(overheadVerdict(unit, threads, contender, txguard, score));
          }
        }
      }
    }
    sb.append('\n');
  }

  private static String overheadVerdict(String unit, int threads, String contender, Result<?> txguard, Result<?> other) {
    double r = median(txguard) / median(other);
    if (contender.equals("jdbc")) {
      return String.format(Locale.ROOT, "%s, %d thread(s): inTx overhead vs hand-written JDBC %+.1f%% (target ≤ 3%%): %s",
          unit, threads, (1 / r - 1) * 100, r >= OVERHEAD_TARGET ? "met" : "MISSED");
    }
    return String.format(Locale.ROOT, "%s, %d thread(s): txguard ÷ %s = %.3f (target ≥ 1): %s",
        unit, threads, contender, r, r >= 1 ? "met" : "MISSED");
  }

  private void renderContention(StringBuilder sb, List<String> verdicts) {
    if (contention.isEmpty()) {
      return;
    }
    Map<String, RunResult> byContender = new LinkedHashMap<>();
    for (RunResult r : contention) {
      byContender.put(r.getParams().getParam("contender"), r);
    }
    Result<?> txguard = byContender.containsKey("txguard") ? committed(byContender.get("txguard")) : null;
    sb.append("| contender | committed/s median | mean ± 99.9% CI | retries/s | retries per commit"
        + " | gave up (trial) | retries (trial) | balance sum | txguard ÷ this |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---|---:|\n");
    for (String contender : List.of("txguard", "jdbi", "immediate")) {
      RunResult r = byContender.get(contender);
      Map<String, String> check = checks.getOrDefault(contender, Map.of());
      String sum = check.isEmpty() ? "not checked"
          : ("true".equals(check.get("exact")) ? "exact (" : "WRONG (") + check.get("balanceSum") + ")";
      if (r == null) {
        sb.append("| ").append(contender).append(" | FAILED (see the JMH log) | | | | | | ").append(sum).append(" | |\n");
        continue;
      }
      Result<?> committed = committed(r);
      Result<?> retries = r.getSecondaryResults().get("retries");
      double retriesPerCommit = retries == null ? Double.NaN : retries.getScore() / committed.getScore();
      String ratio = contender.equals("txguard") || txguard == null ? "—" : ratio(txguard, committed);
      sb.append("| ").append(contender).append(" | ").append(number(median(committed))).append(" | ")
          .append(number(committed.getScore())).append(" ± ").append(number(committed.getScoreError()))
          .append(" | ").append(retries == null ? "" : number(retries.getScore())).append(" | ")
          .append(String.format(Locale.ROOT, "%.2f", retriesPerCommit)).append(" | ")
          .append(check.getOrDefault("gaveUp", "")).append(" | ").append(check.getOrDefault("retries", ""))
          .append(" | ").append(sum).append(" | ").append(ratio).append(" |\n");
      if (txguard != null && !contender.equals("txguard")) {
        double q = median(txguard) / median(committed);
        verdicts.add(String.format(Locale.ROOT, "contention: txguard goodput ÷ %s = %.2f (target ≥ 1.5): %s",
            contender, q, q >= GOODPUT_TARGET ? "met" : "MISSED"));
      }
    }
    for (Map.Entry<String, Map<String, String>> e : checks.entrySet()) {
      if (!"true".equals(e.getValue().get("exact"))) {
        verdicts.add("contention: balance sum of " + e.getKey() + " is WRONG: " + e.getValue());
      }
    }
    if (!checks.isEmpty() && checks.values().stream().allMatch(c -> "true".equals(c.get("exact")))) {
      verdicts.add("contention: balance sum exact after every trial: met");
    }
    Map<String, String> tx = checks.get("txguard");
    if (tx != null) {
      verdicts.add("contention: txguard retries counted by TxListener.onRetry " + tx.get("retriesSeenByLibrary")
          + ", by counting callback runs " + tx.get("retries"));
    }
    sb.append('\n');
  }

  private void renderLimits(StringBuilder sb) {
    if (limits.isEmpty()) {
      return;
    }
    sb.append("| limit: pgbench, pipelined | clients | median tps | min – max (per second) |\n");
    sb.append("|---|---:|---:|---:|\n");
    for (Limit.Result l : limits.values()) {
      sb.append("| ").append(l.unit()).append(" | ").append(l.clients()).append(" | ").append(number(l.median()))
          .append(" | ").append(number(l.min())).append(" – ").append(number(l.max())).append(" |\n");
    }
  }

  private static Result<?> committed(RunResult r) {
    Result<?> c = r.getSecondaryResults().get("committed");
    return c != null ? c : r.getPrimaryResult();
  }

  private static double median(Result<?> r) {
    Statistics s = r.getStatistics();
    return s.getN() == 0 ? Double.NaN : s.getPercentile(50);
  }

  /** Median ratio, with the relative errors of both means added in quadrature. */
  private static String ratio(Result<?> txguard, Result<?> other) {
    double r = median(txguard) / median(other);
    double ea = relativeError(txguard);
    double eb = relativeError(other);
    double err = Double.isNaN(ea) || Double.isNaN(eb) ? Double.NaN : r * Math.sqrt(ea * ea + eb * eb);
    return Double.isNaN(err)
        ? String.format(Locale.ROOT, "%.3f", r)
        : String.format(Locale.ROOT, "%.3f ± %.3f", r, err);
  }

  private static double relativeError(Result<?> r) {
    double error = r.getScoreError();
    return Double.isNaN(error) || r.getScore() == 0 ? Double.NaN : error / r.getScore();
  }

  private static String row(String... cells) {
    return "| " + String.join(" | ", cells) + " |\n";
  }

  private static String number(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String percent(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.0f%%", v * 100);
  }
}
