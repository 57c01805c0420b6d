package dev.txguard.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The paired overhead run behind {@code run.sh --paired} (issue 13): is txguard within 3% of
 * hand-written JDBC against a real server?
 *
 * <p>The JMH run ({@link Main}) measures each contender for seconds at a time, minutes apart from
 * its baseline; the write unit's fsync-bound COMMIT makes the rate swing 2x over minutes, so the
 * ratio of two independently measured means keeps an interval of ±22% or wider. Here all contenders
 * run in one JVM, after a warm-up, in short slices back to back: a cycle runs every contender for
 * one slice, in a fresh random order, with the same T threads. The ratio of two contenders' rates
 * in the same cycle sees nearly the same disk and the same foreign load, so the drift cancels in
 * it; the cycles' ratios are then summarised by {@link PairedStats}.
 *
 * <p>The units are the JMH benchmark's own ({@link OverheadBenchmark#read()} and {@link
 * OverheadBenchmark#write()}, set up by its {@code setUp}), so the SQL, the arguments and the
 * HikariCP recipe are exactly the JMH run's.
 *
 * <pre>
 * run.sh --paired                        write then read, 1 and 8 threads, jdbc,txguard,txguard-unresolved
 * run.sh --paired --only write --threads 1,8 --cycles 300 --slice-ms 500
 * run.sh --paired --smoke                a few short cycles: checks the harness, numbers mean nothing
 * </pre>
 *
 * Options: {@code --only read|write}, {@code --threads 1,8}, {@code --cycles N} (per unit and
 * thread count, default 300) or {@code --seconds N} (measured seconds per unit and thread count,
 * turned into cycles), {@code --slice-ms N} (default 1000), {@code --warmup-seconds N} (per
 * contender, default 10), {@code --contenders A,B,...} (the first is the baseline), {@code --seed
 * N}, {@code --out DIR} (default {@code txguard-bench/target/paired-results}).
 */
final class Paired {
  private Paired() {}

  /** The run's settings, parsed from the command line. */
  record Options(
      List<String> units,
      List<Integer> threads,
      int cycles,
      int sliceMillis,
      int warmupSeconds,
      List<String> contenders,
      long seed,
      Path out) {
    static Options parse(List<String> args) {
      boolean smoke = args.contains("--smoke");
      List<String> units = List.of("write", "read");
      List<Integer> threads = List.of(1, 8);
      Integer cycles = null;
      Integer seconds = null;
      int sliceMillis = smoke ? 100 : 1000;
      int warmupSeconds = smoke ? 1 : 10;
      List<String> contenders = List.of("jdbc", "txguard", "txguard-unresolved");
      long seed = 13;
      Path out = Path.of("txguard-bench/target/paired-results");
      for (int i = 0; i < args.size(); i++) {
        String option = args.get(i);
        switch (option) {
          case "--smoke" -> {}
          case "--only" -> {
            String unit = value(args, ++i, option);
            if (!unit.equals("read") && !unit.equals("write")) {
              throw new IllegalArgumentException("--only takes read or write, was '" + unit + "'");
            }
            units = List.of(unit);
          }
          case "--threads" ->
              threads =
                  List.of(value(args, ++i, option).split(",")).stream()
                      .map(t -> positive(option, t))
                      .toList();
          case "--cycles" -> cycles = positive(option, value(args, ++i, option));
          case "--seconds" -> seconds = positive(option, value(args, ++i, option));
          case "--slice-ms" -> sliceMillis = positive(option, value(args, ++i, option));
          case "--warmup-seconds" -> warmupSeconds = positive(option, value(args, ++i, option));
          case "--contenders" -> contenders = contenders(value(args, ++i, option));
          case "--seed" -> seed = Long.parseLong(value(args, ++i, option));
          case "--out" -> out = Path.of(value(args, ++i, option));
          default ->
              throw new IllegalArgumentException(
                  "unknown option '"
                      + option
                      + "'; use --only read|write, --threads 1,8, --cycles N, --seconds N,"
                      + " --slice-ms N, --warmup-seconds N, --contenders A,B,..., --seed N,"
                      + " --out DIR, --smoke");
        }
      }
      if (cycles != null && seconds != null) {
        throw new IllegalArgumentException("give --cycles or --seconds, not both");
      }
      int perCycleMillis = sliceMillis * contenders.size();
      int n =
          cycles != null
              ? cycles
              : seconds != null
                  ? Math.max(2, (int) ((long) seconds * 1000 / perCycleMillis))
                  : smoke ? 5 : 300;
      if (n < 2) {
        throw new IllegalArgumentException("--cycles must be at least 2 for an interval, was " + n);
      }
      return new Options(units, threads, n, sliceMillis, warmupSeconds, contenders, seed, out);
    }

    private static List<String> contenders(String list) {
      List<String> names = List.of(list.split(","));
      for (String name : names) {
        if (!Units.NAMES.contains(name)) {
          throw new IllegalArgumentException(
              "--contenders takes names from "
                  + String.join(",", Units.NAMES)
                  + "; was '"
                  + name
                  + "'");
        }
      }
      if (names.size() < 2 || names.stream().distinct().count() != names.size()) {
        throw new IllegalArgumentException(
            "--contenders needs at least two different names, was '" + list + "'");
      }
      return names;
    }

    private static int positive(String option, String text) {
      try {
        int value = Integer.parseInt(text.trim());
        if (value > 0) {
          return value;
        }
      } catch (NumberFormatException e) {
        // reported below with the option's name
      }
      throw new IllegalArgumentException(
          option + " takes a positive whole number, was '" + text + "'");
    }

    private static String value(List<String> args, int i, String option) {
      if (i >= args.size()) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args.get(i);
    }
  }

  /**
   * One contender's slice: units completed, failed units, the wall time from the slice's start
   * until its last thread finished its last unit, the JVM's CPU time over that window (all threads,
   * GC and JIT included), the worker threads' own CPU time, and the machine's 1-minute load average
   * at its end.
   */
  record Slice(
      String unit,
      int threads,
      int cycle,
      int position,
      String contender,
      long units,
      long failures,
      long wallNanos,
      long processCpuNanos,
      long workerCpuNanos,
      double load) {
    double rate() {
      return PairedStats.rate(units, wallNanos);
    }

    static final String HEADER =
        "unit\tthreads\tcycle\tposition\tcontender\tunits\tfailures\twall_ns\tprocess_cpu_ns"
            + "\tworker_cpu_ns\tload1";

    String tsv() {
      return String.join(
          "\t",
          unit,
          Integer.toString(threads),
          Integer.toString(cycle),
          Integer.toString(position),
          contender,
          Long.toString(units),
          Long.toString(failures),
          Long.toString(wallNanos),
          Long.toString(processCpuNanos),
          Long.toString(workerCpuNanos),
          String.format(Locale.ROOT, "%.2f", load));
    }
  }

  /** One pair's summary in one block (unit and thread count). */
  record PairResult(
      String unit,
      int threads,
      String numerator,
      String denominator,
      PairedStats.Summary summary) {}

  /** Everything the run measured: every slice, every pair's summary, the report's text. */
  record Result(List<Slice> slices, List<PairResult> pairs, String report, long failures) {}

  static Result run(List<String> args, PrintStream log) throws Exception {
    Options options = Options.parse(args);
    Files.createDirectories(options.out());
    log.println(
        "txguard-bench paired run against "
            + BenchSetup.url()
            + ": "
            + String.join(",", options.contenders())
            + ", "
            + options.cycles()
            + " cycles of "
            + options.sliceMillis()
            + " ms slices, seed "
            + options.seed());
    Random random = new Random(options.seed());
    List<Slice> slices = new ArrayList<>();
    String started = Instant.now().toString();
    for (String unit : options.units()) {
      for (int threads : options.threads()) {
        slices.addAll(block(options, unit, threads, random, log));
      }
    }
    List<PairResult> pairs = new ArrayList<>();
    for (String unit : options.units()) {
      for (int threads : options.threads()) {
        pairs.addAll(pairs(options, slices, unit, threads));
      }
    }
    String report = report(options, args, started, Instant.now().toString(), slices, pairs);
    Files.writeString(
        options.out().resolve("paired-slices.tsv"),
        Slice.HEADER + "\n" + String.join("\n", slices.stream().map(Slice::tsv).toList()) + "\n");
    Files.writeString(options.out().resolve("paired-report.md"), report);
    log.println();
    log.println(report);
    long failures = slices.stream().mapToLong(Slice::failures).sum();
    return new Result(slices, pairs, report, failures);
  }

  /** Warm-up, then the measured cycles of one unit at one thread count, on fresh tables. */
  private static List<Slice> block(
      Options options, String unit, int threads, Random random, PrintStream log) throws Exception {
    Map<String, OverheadBenchmark> benchmarks = new LinkedHashMap<>();
    List<Slice> measured = new ArrayList<>();
    try (Crew crew = new Crew(threads, unit.equals("write"))) {
      for (String name : options.contenders()) {
        OverheadBenchmark b = new OverheadBenchmark();
        b.contender = name;
        b.setUp(); // recreates the tables, as each JMH trial does: the last one wins
        benchmarks.put(name, b);
      }
      long sliceNanos = options.sliceMillis() * 1_000_000L;
      int warmupCycles =
          Math.max(1, (int) Math.ceil(options.warmupSeconds() * 1000.0 / options.sliceMillis()));
      log.printf(
          Locale.ROOT,
          "%s, %d thread(s): warm-up %d cycles, then %d measured%n",
          unit,
          threads,
          warmupCycles,
          options.cycles());
      List<String> order = new ArrayList<>(options.contenders());
      for (int cycle = -warmupCycles; cycle < options.cycles(); cycle++) {
        Collections.shuffle(order, random);
        for (int position = 0; position < order.size(); position++) {
          String name = order.get(position);
          Slice s = crew.slice(benchmarks.get(name), sliceNanos, unit, cycle, position, name);
          if (cycle >= 0) {
            measured.add(s);
          }
        }
        if (cycle >= 0 && (cycle + 1) % Math.max(1, options.cycles() / 10) == 0) {
          progress(options, measured, unit, threads, cycle + 1, log);
        }
      }
      if (crew.firstFailure.get() != null) {
        log.println("first failed unit: " + crew.firstFailure.get());
      }
    } finally {
      for (OverheadBenchmark b : benchmarks.values()) {
        b.tearDown();
      }
    }
    return measured;
  }

  private static void progress(
      Options options, List<Slice> measured, String unit, int threads, int done, PrintStream log) {
    String base = options.contenders().get(0);
    String other = options.contenders().get(1);
    double[] ratios =
        PairedStats.ratios(
            rates(measured, unit, threads, other), rates(measured, unit, threads, base));
    log.printf(
        Locale.ROOT,
        "  cycle %d/%d: %s/%s geometric mean so far %.3f, load %.2f%n",
        done,
        options.cycles(),
        other,
        base,
        Math.exp(java.util.Arrays.stream(ratios).map(Math::log).average().orElse(Double.NaN)),
        measured.get(measured.size() - 1).load());
  }

  /** One contender's rates in cycle order. */
  private static double[] rates(List<Slice> slices, String unit, int threads, String contender) {
    return slices.stream()
        .filter(
            s -> s.unit().equals(unit) && s.threads() == threads && s.contender().equals(contender))
        .sorted(java.util.Comparator.comparingInt(Slice::cycle))
        .mapToDouble(Slice::rate)
        .toArray();
  }

  /**
   * Every other contender over the baseline (the first), and among the others the earlier over the
   * later (txguard over txguard-unresolved).
   */
  private static List<PairResult> pairs(
      Options options, List<Slice> slices, String unit, int threads) {
    List<String> names = options.contenders();
    List<PairResult> pairs = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      for (int j = i + 1; j < names.size(); j++) {
        String numerator = i == 0 ? names.get(j) : names.get(i);
        String denominator = i == 0 ? names.get(i) : names.get(j);
        double[] ratios =
            PairedStats.ratios(
                rates(slices, unit, threads, numerator), rates(slices, unit, threads, denominator));
        if (ratios.length >= 2) {
          pairs.add(
              new PairResult(
                  unit,
                  threads,
                  numerator,
                  denominator,
                  PairedStats.summarize(ratios, options.seed())));
        }
      }
    }
    return pairs;
  }

  private static String report(
      Options options,
      List<String> args,
      String started,
      String ended,
      List<Slice> slices,
      List<PairResult> pairs) {
    StringBuilder r = new StringBuilder();
    r.append("# Paired run: txguard-bench/run.sh --paired ")
        .append(String.join(" ", args))
        .append("\n\n");
    r.append("Server ")
        .append(BenchSetup.url())
        .append("; ")
        .append(started)
        .append(" to ")
        .append(ended)
        .append("; ")
        .append(options.cycles())
        .append(" cycles of ")
        .append(options.sliceMillis())
        .append(" ms slices per unit and thread count, random order per cycle (seed ")
        .append(options.seed())
        .append("), ")
        .append(options.warmupSeconds())
        .append(" s warm-up per contender; ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" CPUs, Java ")
        .append(Runtime.version())
        .append(".\n\n");
    double[] loads = slices.stream().mapToDouble(Slice::load).sorted().toArray();
    if (loads.length > 0) {
      r.append(
          String.format(
              Locale.ROOT,
              "1-minute load average at the slices' ends: min %.2f, median %.2f, max %.2f.%n%n",
              loads[0],
              PairedStats.median(loads),
              loads[loads.length - 1]));
    }
    r.append(
        "| unit | threads | contender | median units/s | JVM CPU µs/unit | worker-thread CPU"
            + " µs/unit | failed units |\n|---|---:|---|---:|---:|---:|---:|\n");
    for (String unit : options.units()) {
      for (int threads : options.threads()) {
        for (String name : options.contenders()) {
          List<Slice> mine =
              slices.stream()
                  .filter(
                      s ->
                          s.unit().equals(unit)
                              && s.threads() == threads
                              && s.contender().equals(name))
                  .toList();
          long units = mine.stream().mapToLong(Slice::units).sum();
          r.append(
              String.format(
                  Locale.ROOT,
                  "| %s | %d | %s | %,.0f | %.1f | %.1f | %d |%n",
                  unit,
                  threads,
                  name,
                  PairedStats.median(mine.stream().mapToDouble(Slice::rate).toArray()),
                  mine.stream().mapToLong(Slice::processCpuNanos).sum() / 1e3 / units,
                  mine.stream().mapToLong(Slice::workerCpuNanos).sum() / 1e3 / units,
                  mine.stream().mapToLong(Slice::failures).sum()));
        }
      }
    }
    r.append(
        "\n| unit | threads | ratio | cycles | geometric mean [99.9% t-interval of log ratios] |"
            + " median [99.9% bootstrap] | verdict |\n|---|---:|---|---:|---|---|---|\n");
    for (PairResult p : pairs) {
      PairedStats.Summary s = p.summary();
      r.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s ÷ %s | %d | %.3f [%.3f, %.3f] | %.3f [%.3f, %.3f] | %s |%n",
              p.unit(),
              p.threads(),
              p.numerator(),
              p.denominator(),
              s.cycles(),
              s.geometricMean(),
              s.low(),
              s.high(),
              s.median(),
              s.medianLow(),
              s.medianHigh(),
              s.verdict()));
    }
    r.append(
        "\nVerdict: \"within 3%\" if the interval's lower bound is at least 0.97, \"more than 3%"
            + " slower\" if its upper bound is below 0.97, otherwise \"not shown\".\n");
    return r.toString();
  }

  /**
   * T worker threads that run one contender's unit until a deadline, slice after slice. The
   * barriers order each slice's settings before the workers read them and the workers' counts
   * before the runner reads them.
   */
  private static final class Crew implements AutoCloseable {
    private final ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final int threads;
    private final boolean write;
    private final CyclicBarrier start;
    private final CyclicBarrier end;
    private final long[] units;
    private final long[] failures;
    private final long[] cpu;
    private final List<Thread> workers = new ArrayList<>();
    final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private OverheadBenchmark current;
    private long deadline;
    private boolean stop;

    Crew(int threads, boolean write) {
      this.threads = threads;
      this.write = write;
      this.start = new CyclicBarrier(threads + 1);
      this.end = new CyclicBarrier(threads + 1);
      this.units = new long[threads];
      this.failures = new long[threads];
      this.cpu = new long[threads];
      for (int i = 0; i < threads; i++) {
        int worker = i;
        Thread t = new Thread(() -> work(worker), "paired-worker-" + i);
        t.setDaemon(true);
        t.start();
        workers.add(t);
      }
    }

    Slice slice(
        OverheadBenchmark benchmark,
        long sliceNanos,
        String unit,
        int cycle,
        int position,
        String name)
        throws InterruptedException, BrokenBarrierException {
      current = benchmark;
      long cpuBefore = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      deadline = t0 + sliceNanos;
      start.await();
      end.await();
      long wall = System.nanoTime() - t0;
      long processCpu = os.getProcessCpuTime() - cpuBefore;
      long done = 0;
      long failed = 0;
      long workerCpu = 0;
      for (int i = 0; i < threads; i++) {
        done += units[i];
        failed += failures[i];
        workerCpu += cpu[i];
      }
      return new Slice(
          unit,
          threads,
          cycle,
          position,
          name,
          done,
          failed,
          wall,
          processCpu,
          workerCpu,
          os.getSystemLoadAverage());
    }

    private void work(int worker) {
      try {
        while (true) {
          start.await();
          if (stop) {
            return;
          }
          long cpuBefore = threadBean.getCurrentThreadCpuTime();
          long done = 0;
          long failed = 0;
          OverheadBenchmark b = current;
          while (System.nanoTime() < deadline) {
            try {
              if (write) {
                b.write();
              } else {
                b.read();
              }
              done++;
            } catch (Exception e) {
              failed++;
              firstFailure.compareAndSet(null, e);
            }
          }
          units[worker] = done;
          failures[worker] = failed;
          cpu[worker] = threadBean.getCurrentThreadCpuTime() - cpuBefore;
          end.await();
        }
      } catch (InterruptedException | BrokenBarrierException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() throws Exception {
      stop = true;
      start.await();
      for (Thread t : workers) {
        t.join();
      }
    }
  }
}
