package dev.txguard.bench.queue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Turns the phases' numbers into the issue-15 table: medians with min-max over rounds, and the
 * ratio txguard / other computed within each round (so that load shared by the round cancels).
 */
final class QueueReport {
  static final String TXGUARD = "txguard-queue";

  private final List<Measured> all = new ArrayList<>();

  void add(Measured m) {
    all.add(m);
  }

  List<Measured> all() {
    return List.copyOf(all);
  }

  private List<Measured> of(String phase, String contender) {
    return all.stream()
        .filter(m -> m.phase().equals(phase) && m.contender().equals(contender))
        .toList();
  }

  private List<String> contenders(String phase) {
    return all.stream()
        .filter(m -> m.phase().equals(phase))
        .map(Measured::contender)
        .distinct()
        .toList();
  }

  static String spread(double[] values, String format) {
    if (values.length == 0) {
      return "-";
    }
    double[] v = values.clone();
    Arrays.sort(v);
    double median =
        v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    String m = String.format(Locale.ROOT, format, median);
    return v.length == 1
        ? m
        : m
            + " ("
            + String.format(Locale.ROOT, format, v[0])
            + "-"
            + String.format(Locale.ROOT, format, v[v.length - 1])
            + ")";
  }

  private String column(
      String phase, String contender, ToDoubleFunction<Measured> value, String format) {
    double[] v =
        of(phase, contender).stream().mapToDouble(value).filter(d -> !Double.isNaN(d)).toArray();
    return spread(v, format);
  }

  private String median(String phase, String contender, ToDoubleFunction<Measured> value) {
    String all = column(phase, contender, value, "%.2f");
    int paren = all.indexOf(" (");
    return paren < 0 ? all : all.substring(0, paren);
  }

  /** txguard's value divided by {@code other}'s, within each round both ran. */
  private String ratio(String phase, String other, ToDoubleFunction<Measured> value) {
    Map<Integer, Double> mine = new LinkedHashMap<>();
    of(phase, TXGUARD).forEach(m -> mine.put(m.round(), value.applyAsDouble(m)));
    double[] r =
        of(phase, other).stream()
            .filter(m -> mine.containsKey(m.round()))
            .mapToDouble(m -> mine.get(m.round()) / value.applyAsDouble(m))
            .toArray();
    return spread(r, "%.2f");
  }

  /** The markdown table of the phases that ran. */
  String table() {
    List<String> names = contenders("noop");
    if (names.isEmpty()) {
      names =
          all.stream()
              .map(Measured::contender)
              .filter(n -> !n.equals(Phases.SERVER_ALONE))
              .distinct()
              .toList();
    }
    StringBuilder t = new StringBuilder("| |");
    names.forEach(n -> t.append(' ').append(n).append(" |"));
    t.append("\n|---|").append("---|".repeat(names.size())).append('\n');
    row(t, names, "no-op worked, jobs/s", n -> column("noop", n, Measured::jobsPerSecond, "%,.0f"));
    row(
        t,
        names,
        "ratio txguard / other, no-op, within each round",
        n -> n.equals(TXGUARD) ? "" : ratio("noop", n, Measured::jobsPerSecond));
    row(
        t,
        names,
        "no-op: JVM CPU per job, µs",
        n -> column("noop", n, Measured::jvmCpuMicros, "%,.0f"));
    row(
        t,
        names,
        "no-op: PostgreSQL CPU per job, µs",
        n -> column("noop", n, Measured::serverCpuMicros, "%,.0f"));
    row(t, names, "no-op: commits per job", n -> column("noop", n, Measured::commits, "%.2f"));
    row(
        t,
        names,
        "no-op: row versions per job, inserted / updated (of them HOT) / deleted (medians)",
        n ->
            median("noop", n, Measured::inserted)
                + " / "
                + median("noop", n, Measured::updated)
                + " ("
                + median("noop", n, Measured::hot)
                + ") / "
                + median("noop", n, Measured::deleted));
    row(
        t,
        names,
        "enqueue (batches), jobs/s",
        n -> column("noop", n, Measured::enqueuePerSecond, "%,.0f"));
    row(
        t,
        names,
        "row-writing handler, jobs/s",
        n -> column("row", n, Measured::jobsPerSecond, "%,.0f"));
    row(
        t,
        names,
        "ratio txguard / other, row handler",
        n -> n.equals(TXGUARD) ? "" : ratio("row", n, Measured::jobsPerSecond));
    row(
        t,
        names,
        "row handler: PostgreSQL CPU per job, µs",
        n -> column("row", n, Measured::serverCpuMicros, "%,.0f"));
    row(t, names, "row handler: commits per job", n -> column("row", n, Measured::commits, "%.2f"));
    row(
        t,
        names,
        "enqueue→start at the offered rate, p50 / p99 ms",
        n ->
            column("latency", n, Measured::p50Millis, "%,.1f")
                + " / "
                + column("latency", n, Measured::p99Millis, "%,.1f"));
    row(
        t,
        names,
        "offered rate: commits per job",
        n -> column("latency", n, Measured::commits, "%.2f"));
    row(
        t,
        names,
        "offered rate: JVM / PostgreSQL CPU per job, µs",
        n ->
            column("latency", n, Measured::jvmCpuMicros, "%,.0f")
                + " / "
                + column("latency", n, Measured::serverCpuMicros, "%,.0f"));
    row(t, names, "idle: transactions/s", n -> column("idle", n, Measured::commits, "%.2f"));
    List<Measured> alone = of("idle-baseline", Phases.SERVER_ALONE);
    if (!alone.isEmpty()) {
      double server = alone.getFirst().commits();
      row(
          t,
          names,
          String.format(
              Locale.ROOT,
              "idle: transactions/s less the server's own (%.2f/s with no contender open)",
              server),
          n -> {
            List<Measured> idle = of("idle", n);
            return idle.isEmpty()
                ? ""
                : String.format(Locale.ROOT, "%.2f", idle.getFirst().commits() - server);
          });
    }
    row(
        t,
        names,
        "idle: JVM CPU, % of a core",
        n -> column("idle", n, m -> m.jvmCpuMicros() / 1e4, "%.2f"));
    return t.toString();
  }

  private static void row(
      StringBuilder t,
      List<String> names,
      String label,
      java.util.function.Function<String, String> cell) {
    List<String> cells = names.stream().map(cell).toList();
    if (cells.stream()
        .allMatch(
            c ->
                c.isEmpty()
                    || c.replace("-", "")
                        .replace("/", "")
                        .replace("(", "")
                        .replace(")", "")
                        .isBlank())) {
      return;
    }
    t.append("| ").append(label).append(" |");
    cells.forEach(c -> t.append(' ').append(c.isEmpty() ? "" : c).append(" |"));
    t.append('\n');
  }

  /**
   * The throttling phase: each variant's transactions/s and its ratio to the row alone within each
   * round.
   */
  String throttle() {
    List<Measured> alone = of("throttle-row-alone", TXGUARD);
    List<Measured> with = of("throttle-with-job", TXGUARD);
    if (alone.isEmpty() || with.isEmpty()) {
      return "";
    }
    String text =
        "enqueue throttling, "
            + Throttle.PRODUCERS
            + " producers: business row alone "
            + spread(alone.stream().mapToDouble(Measured::jobsPerSecond).toArray(), "%,.0f")
            + " tx/s (commits per tx "
            + spread(alone.stream().mapToDouble(Measured::commits).toArray(), "%.2f")
            + "); row + job "
            + versus(alone, with);
    text += also(alone, "throttle-with-job-listened", "row + job while another process listens");
    text +=
        also(alone, "throttle-with-second-row", "row + a second row (the floor of any enqueue)");
    return text + also(alone, "throttle-with-db-scheduler", "row + db-scheduler execution");
  }

  /**
   * "; {@code label} ..." for the throttling variant {@code phase}, or nothing if it did not run.
   */
  private String also(List<Measured> alone, String phase, String label) {
    List<Measured> variant = of(phase, TXGUARD);
    return variant.isEmpty() ? "" : "; " + label + " " + versus(alone, variant);
  }

  /** {@code variant}'s transactions/s, its ratio to {@code alone} in each round, its commits. */
  private static String versus(List<Measured> alone, List<Measured> variant) {
    double[] ratios = new double[Math.min(alone.size(), variant.size())];
    for (int i = 0; i < ratios.length; i++) {
      ratios[i] = variant.get(i).jobsPerSecond() / alone.get(i).jobsPerSecond();
    }
    return spread(variant.stream().mapToDouble(Measured::jobsPerSecond).toArray(), "%,.0f")
        + " tx/s, ratio "
        + spread(ratios, "%.2f")
        + " (commits per tx "
        + spread(variant.stream().mapToDouble(Measured::commits).toArray(), "%.2f")
        + ")";
  }

  /** Every failed exactly-once check, one a line; empty when all passed. */
  List<String> failures() {
    return all.stream()
        .filter(m -> !m.check().isEmpty())
        .map(m -> m.phase() + " round " + m.round() + " " + m.contender() + ": " + m.check())
        .toList();
  }
}
