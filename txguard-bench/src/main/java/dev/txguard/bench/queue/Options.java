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
    int sustainedWarmupSeconds,
    int sustainedPercent,
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
      boolean kill) {}

  /** The phases run by default. */
  private static final List<String> PHASES = List.of("noop", "row", "latency", "throttle", "idle");

  /** Every phase: the default ones and share, which runs only when named. */
  private static final List<String> ALL_PHASES =
      List.of("noop", "row", "latency", "throttle", "idle", "share");

  private static final List<String> NAMES =
      List.of("txguard", "db-scheduler", "jobrunr", "pgbench");

  /** These options without the pgbench limit (when pgbench is not on the PATH). */
  Options withoutPgbench() {
    Parser p = new Parser(this);
    p.contenders = contenders.stream().filter(c -> !c.equals("pgbench")).toList();
    return p.build();
  }

  boolean phase(String name) {
    return only.contains(name);
  }

  static Options parse(List<String> args) {
    Parser o = new Parser(args.contains("--smoke"));
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--smoke" -> {}
        case "--statements" -> o.statements = true;
        case "--sustained" -> o.sustained = true;
        case "--rounds" -> o.rounds = positive(args, ++i);
        case "--jobs" -> o.jobs = positive(args, ++i);
        case "--batch" -> o.batch = positive(args, ++i);
        case "--row-rounds" -> o.rowRounds = positive(args, ++i);
        case "--rate" -> o.rate = positive(args, ++i);
        case "--latency-seconds" -> o.latencySeconds = positive(args, ++i);
        case "--throttle-seconds" -> o.throttleSeconds = positive(args, ++i);
        case "--idle-seconds" -> o.idleSeconds = positive(args, ++i);
        case "--minutes" -> o.minutes = positive(args, ++i);
        case "--jobs-per-tx" -> o.perTx = positive(args, ++i);
        case "--sustained-warmup-seconds" -> o.sustainedWarmupSeconds = nonNegative(args, ++i);
        case "--sustained-percent" -> o.sustainedPercent = percent(args, ++i);
        case "--only" -> o.only = list(args, ++i, ALL_PHASES, "--only");
        case "--handler-ms" -> o.handlerMs = positive(args, ++i);
        case "--share-rate" -> o.shareRate = positive(args, ++i);
        case "--share-seconds" -> o.shareSeconds = positive(args, ++i);
        case "--share-rounds" -> o.shareRounds = positive(args, ++i);
        case "--share-enqueue-in-a" -> o.enqueueInA = true;
        case "--share-exponential" -> o.exponential = true;
        case "--share-no-kill" -> o.kill = false;
        case "--contenders" -> o.contenders = list(args, ++i, NAMES, "--contenders");
        case "--url" -> o.url = value(args, ++i);
        case "--out" -> o.out = Path.of(value(args, ++i));
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
                    + ", --sustained (--rate N | --sustained-percent P) --minutes N [--jobs-per-tx N]"
                    + " [--sustained-warmup-seconds N],"
                    + " --url JDBC-URL, --out DIR, --statements");
      }
    }
    if (o.batch > o.jobs) {
      throw new IllegalArgumentException(
          "--batch (" + o.batch + ") must not exceed --jobs (" + o.jobs + ")");
    }
    return o.build();
  }

  /** A percentage of the measured throughput: 1 to 100. */
  private static int percent(List<String> args, int i) {
    int p = positive(args, i);
    if (p > 100) {
      throw new IllegalArgumentException(
          args.get(i - 1)
              + " must be 1 to 100 (a percentage of the measured throughput), got "
              + p);
    }
    return p;
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

  private static int nonNegative(List<String> args, int i) {
    String v = value(args, i);
    try {
      int n = Integer.parseInt(v);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        args.get(i - 1) + " takes a whole number, 0 or more, was '" + v + "'");
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

  /**
   * The options while the command line is read: the defaults (or --smoke's tiny sizes), each option
   * setting its field, then one {@link Options}.
   */
  private static final class Parser {
    boolean smoke;
    int rounds;
    int jobs;
    int batch;
    int rowRounds;
    int rate;
    int latencySeconds;
    int throttleSeconds;
    int idleSeconds;
    int idleWarmup;
    List<String> only = PHASES;
    List<String> contenders = NAMES;
    boolean sustained;
    int minutes;
    int perTx = 1;
    int sustainedWarmupSeconds;
    int sustainedPercent;
    String url;
    Path out;
    boolean statements;
    int handlerMs = 20;
    int shareRate;
    int shareSeconds;
    int shareRounds = 1;
    boolean enqueueInA;
    boolean exponential;
    boolean kill = true;

    Parser(boolean smoke) {
      this.smoke = smoke;
      rounds = smoke ? 1 : 5;
      jobs = smoke ? 200 : 20_000;
      batch = smoke ? 50 : 1_000;
      rowRounds = smoke ? 1 : 2;
      rate = smoke ? 50 : 200;
      latencySeconds = smoke ? 1 : 30;
      throttleSeconds = smoke ? 1 : 10;
      idleSeconds = smoke ? 1 : 30;
      idleWarmup = smoke ? 0 : 12;
      minutes = smoke ? 0 : 10;
      sustainedWarmupSeconds = smoke ? 0 : 60;
      out =
          Path.of(
              smoke ? "txguard-bench/target/queue-smoke" : "txguard-bench/target/queue-results");
      shareSeconds = smoke ? 1 : 30;
    }

    Parser(Options o) {
      smoke = o.smoke;
      rounds = o.rounds;
      jobs = o.jobs;
      batch = o.batch;
      rowRounds = o.rowRounds;
      rate = o.rate;
      latencySeconds = o.latencySeconds;
      throttleSeconds = o.throttleSeconds;
      idleSeconds = o.idleSeconds;
      idleWarmup = o.idleWarmup;
      only = o.only;
      contenders = o.contenders;
      sustained = o.sustained;
      minutes = o.minutes;
      perTx = o.perTx;
      sustainedWarmupSeconds = o.sustainedWarmupSeconds;
      sustainedPercent = o.sustainedPercent;
      url = o.url;
      out = o.out;
      statements = o.statements;
      handlerMs = o.share.handlerMs();
      shareRate = o.share.rate();
      shareSeconds = o.share.seconds();
      shareRounds = o.share.rounds();
      enqueueInA = o.share.enqueueInA();
      exponential = o.share.exponential();
      kill = o.share.kill();
    }

    Options build() {
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
          sustainedWarmupSeconds,
          sustainedPercent,
          url,
          out,
          statements,
          new Share(
              handlerMs, shareRate, shareSeconds, shareRounds, enqueueInA, exponential, kill));
    }
  }
}
