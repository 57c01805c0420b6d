package dev.txguard.bench.queue;

import java.nio.file.Path;
import java.util.List;

/** The queue benchmark's command line (see {@link QueueBench}). */
record Options(
    boolean smoke,
    int rounds,
    int jobs,
    int batch,
    int rowRounds,
    int rate,
    int latencySeconds,
    int throttleSeconds,
    int idleSeconds,
    int idleWarmup,
    List<String> only,
    List<String> contenders,
    boolean sustained,
    int minutes,
    int perTx,
    String url,
    Path out,
    boolean statements,
    Share share) {
  /**
   * The share phase's settings (see {@link dev.txguard.bench.queue.Share}).
   *
   * @param handlerMs how long each handler sleeps
   * @param rate offered jobs/s; 0: half the two processes' capacity
   * @param seconds how long each claim setting is offered jobs
   * @param rounds how often each claim setting runs (in rotating order)
   * @param enqueueInA whether the jobs are enqueued through process A's own queue (which wakes its
   *     own fetcher at once, the other process's by NOTIFY) instead of a third, unstarted one
   * @param exponential whether handler times are exponentially distributed with mean {@code
   *     handlerMs} instead of all {@code handlerMs}
   * @param kill whether the death check runs after the fairness runs
   */
  record Share(
      int handlerMs,
      int rate,
      int seconds,
      int rounds,
      boolean enqueueInA,
      boolean exponential,
      boolean kill) {
    Share withHandlerMs(int v) {
      return new Share(v, rate, seconds, rounds, enqueueInA, exponential, kill);
    }

    Share withRate(int v) {
      return new Share(handlerMs, v, seconds, rounds, enqueueInA, exponential, kill);
    }

    Share withSeconds(int v) {
      return new Share(handlerMs, rate, v, rounds, enqueueInA, exponential, kill);
    }

    Share withRounds(int v) {
      return new Share(handlerMs, rate, seconds, v, enqueueInA, exponential, kill);
    }

    Share withEnqueueInA() {
      return new Share(handlerMs, rate, seconds, rounds, true, exponential, kill);
    }

    Share withExponential() {
      return new Share(handlerMs, rate, seconds, rounds, enqueueInA, true, kill);
    }

    Share withoutKill() {
      return new Share(handlerMs, rate, seconds, rounds, enqueueInA, exponential, false);
    }
  }

  /** The phases run by default. */
  private static final List<String> PHASES = List.of("noop", "row", "latency", "throttle", "idle");

  /** Every phase: the default ones and share, which runs only when named. */
  private static final List<String> ALL_PHASES =
      List.of("noop", "row", "latency", "throttle", "idle", "share");

  private static final List<String> NAMES =
      List.of("txguard", "db-scheduler", "jobrunr", "pgbench");

  /** These options without the pgbench limit (when pgbench is not on the PATH). */
  Options withoutPgbench() {
    return withLists(only, contenders.stream().filter(c -> !c.equals("pgbench")).toList());
  }

  boolean phase(String name) {
    return only.contains(name);
  }

  static Options parse(List<String> args) {
    boolean smoke = args.contains("--smoke");
    Options o =
        smoke
            ? new Options(
                true,
                1,
                200,
                50,
                1,
                50,
                2,
                1,
                1,
                0,
                PHASES,
                NAMES,
                false,
                0,
                1,
                null,
                Path.of("txguard-bench/target/queue-smoke"),
                false,
                new Share(20, 0, 2, 1, false, false, true))
            : new Options(
                false,
                5,
                20_000,
                1_000,
                2,
                200,
                30,
                10,
                30,
                12,
                PHASES,
                NAMES,
                false,
                10,
                1,
                null,
                Path.of("txguard-bench/target/queue-results"),
                false,
                new Share(20, 0, 30, 1, false, false, true));
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--smoke" -> {}
        case "--statements" ->
            o =
                new Options(
                    o.smoke,
                    o.rounds,
                    o.jobs,
                    o.batch,
                    o.rowRounds,
                    o.rate,
                    o.latencySeconds,
                    o.throttleSeconds,
                    o.idleSeconds,
                    o.idleWarmup,
                    o.only,
                    o.contenders,
                    o.sustained,
                    o.minutes,
                    o.perTx,
                    o.url,
                    o.out,
                    true,
                    o.share);
        case "--sustained" -> o = o.with(true, o.minutes());
        case "--rounds" -> o = o.withSizes(positive(args, ++i), o.jobs, o.batch, o.rowRounds);
        case "--jobs" -> o = o.withSizes(o.rounds, positive(args, ++i), o.batch, o.rowRounds);
        case "--batch" -> o = o.withSizes(o.rounds, o.jobs, positive(args, ++i), o.rowRounds);
        case "--row-rounds" -> o = o.withSizes(o.rounds, o.jobs, o.batch, positive(args, ++i));
        case "--rate" ->
            o =
                o.withTimes(
                    positive(args, ++i), o.latencySeconds, o.throttleSeconds, o.idleSeconds);
        case "--latency-seconds" ->
            o = o.withTimes(o.rate, positive(args, ++i), o.throttleSeconds, o.idleSeconds);
        case "--throttle-seconds" ->
            o = o.withTimes(o.rate, o.latencySeconds, positive(args, ++i), o.idleSeconds);
        case "--idle-seconds" ->
            o = o.withTimes(o.rate, o.latencySeconds, o.throttleSeconds, positive(args, ++i));
        case "--minutes" -> o = o.with(o.sustained, positive(args, ++i));
        case "--jobs-per-tx" -> o = o.withPerTx(positive(args, ++i));
        case "--only" -> o = o.withLists(list(args, ++i, ALL_PHASES, "--only"), o.contenders);
        case "--handler-ms" -> o = o.withShare(o.share.withHandlerMs(positive(args, ++i)));
        case "--share-rate" -> o = o.withShare(o.share.withRate(positive(args, ++i)));
        case "--share-seconds" -> o = o.withShare(o.share.withSeconds(positive(args, ++i)));
        case "--share-rounds" -> o = o.withShare(o.share.withRounds(positive(args, ++i)));
        case "--share-enqueue-in-a" -> o = o.withShare(o.share.withEnqueueInA());
        case "--share-exponential" -> o = o.withShare(o.share.withExponential());
        case "--share-no-kill" -> o = o.withShare(o.share.withoutKill());
        case "--contenders" -> o = o.withLists(o.only, list(args, ++i, NAMES, "--contenders"));
        case "--url" -> o = o.withTarget(value(args, ++i), o.out);
        case "--out" -> o = o.withTarget(o.url, Path.of(value(args, ++i)));
        default ->
            throw new IllegalArgumentException(
                "unknown option '"
                    + a
                    + "' for --queue; use --smoke, --rounds N,"
                    + " --jobs N, --batch N, --row-rounds N, --rate N, --latency-seconds N, --throttle-seconds N,"
                    + " --idle-seconds N, --only "
                    + String.join(",", ALL_PHASES)
                    + ", --handler-ms N, --share-rate N, --share-seconds N, --share-rounds N,"
                    + " --share-enqueue-in-a, --share-exponential, --share-no-kill"
                    + ", --contenders "
                    + String.join(",", NAMES)
                    + ", --sustained --rate N --minutes N [--jobs-per-tx N], --url JDBC-URL, --out DIR, --statements");
      }
    }
    if (o.batch > o.jobs) {
      throw new IllegalArgumentException(
          "--batch (" + o.batch + ") must not exceed --jobs (" + o.jobs + ")");
    }
    return o;
  }

  private static String value(List<String> args, int i) {
    if (i >= args.size()) {
      throw new IllegalArgumentException(args.get(i - 1) + " needs a value");
    }
    return args.get(i);
  }

  private static int positive(List<String> args, int i) {
    String v = value(args, i);
    try {
      int n = Integer.parseInt(v);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        args.get(i - 1) + " takes a positive whole number, was '" + v + "'");
  }

  private static List<String> list(List<String> args, int i, List<String> allowed, String option) {
    List<String> items = List.of(value(args, i).split(","));
    for (String item : items) {
      if (!allowed.contains(item)) {
        throw new IllegalArgumentException(
            option + " takes some of " + allowed + ", was '" + item + "'");
      }
    }
    return items;
  }

  private Options withSizes(int r, int j, int b, int rr) {
    return new Options(
        smoke,
        r,
        j,
        b,
        rr,
        rate,
        latencySeconds,
        throttleSeconds,
        idleSeconds,
        idleWarmup,
        only,
        contenders,
        sustained,
        minutes,
        perTx,
        url,
        out,
        statements,
        share);
  }

  private Options withTimes(int ra, int l, int t, int i) {
    return new Options(
        smoke,
        rounds,
        jobs,
        batch,
        rowRounds,
        ra,
        l,
        t,
        i,
        idleWarmup,
        only,
        contenders,
        sustained,
        minutes,
        perTx,
        url,
        out,
        statements,
        share);
  }

  private Options withLists(List<String> o, List<String> c) {
    return new Options(
        smoke,
        rounds,
        jobs,
        batch,
        rowRounds,
        rate,
        latencySeconds,
        throttleSeconds,
        idleSeconds,
        idleWarmup,
        o,
        c,
        sustained,
        minutes,
        perTx,
        url,
        out,
        statements,
        share);
  }

  private Options with(boolean s, int m) {
    return new Options(
        smoke,
        rounds,
        jobs,
        batch,
        rowRounds,
        rate,
        latencySeconds,
        throttleSeconds,
        idleSeconds,
        idleWarmup,
        only,
        contenders,
        s,
        m,
        perTx,
        url,
        out,
        statements,
        share);
  }

  private Options withPerTx(int p) {
    return new Options(
        smoke,
        rounds,
        jobs,
        batch,
        rowRounds,
        rate,
        latencySeconds,
        throttleSeconds,
        idleSeconds,
        idleWarmup,
        only,
        contenders,
        sustained,
        minutes,
        p,
        url,
        out,
        statements,
        share);
  }

  private Options withTarget(String u, Path o) {
    return new Options(
        smoke,
        rounds,
        jobs,
        batch,
        rowRounds,
        rate,
        latencySeconds,
        throttleSeconds,
        idleSeconds,
        idleWarmup,
        only,
        contenders,
        sustained,
        minutes,
        perTx,
        u,
        o,
        statements,
        share);
  }

  private Options withShare(Share s) {
    return new Options(
        smoke,
        rounds,
        jobs,
        batch,
        rowRounds,
        rate,
        latencySeconds,
        throttleSeconds,
        idleSeconds,
        idleWarmup,
        only,
        contenders,
        sustained,
        minutes,
        perTx,
        url,
        out,
        statements,
        s);
  }
}
