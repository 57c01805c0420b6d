package dev.txguard.bench.queue;

import dev.txguard.Database;
import dev.txguard.queue.EnqueueOptions;
import dev.txguard.queue.JobQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;

/**
 * The share phase's death check ({@link Share}): what a queue process that dies strands. Process A
 * runs in a child JVM ({@link ShareVictim}) beside process B in this one, with the claim setting
 * under test, for a few seconds under the share phase's offered rate or under a backlog enqueued
 * before they start, and is killed with SIGKILL; the producer stops at the kill. Counted: the jobs
 * A's leases still held (those A had started and those it held prefetched, never started), the
 * lease they had left, and when B's maintenance had rescued them all and every job had completed.
 */
final class ShareDeath {
  private final Server server;
  private final Options.Share o;
  private final boolean smoke;
  private final int rate;
  private final List<String> rows = new ArrayList<>();

  ShareDeath(Server server, Options.Share o, boolean smoke, int rate) {
    this.server = server;
    this.o = o;
    this.smoke = smoke;
    this.rate = rate;
  }

  /** The lease of the death check: the default, 30 s; 3 s in smoke mode. */
  private Duration lease() {
    return smoke ? Duration.ofSeconds(3) : Duration.ofSeconds(30);
  }

  private int secondsBeforeKill() {
    return smoke ? 2 : 10;
  }

  /**
   * The death check of setting {@code c}: A in a child JVM, B here, for {@link
   * #secondsBeforeKill()} s either the offered rate or (with {@code backlog}) a backlog enqueued
   * before they start that outlasts the kill; SIGKILL for A (the producer stops there), then the
   * jobs A held, until B rescued them and every job completed.
   */
  Measured run(Share.Claims c, boolean backlog, java.io.PrintStream log) throws Exception {
    TxguardContender.FACTORY.clear(server);
    int jobs =
        backlog
            ? 2 * Share.CONCURRENCY * 1000 / o.handlerMs() * (secondsBeforeKill() + 2)
            : rate * secondsBeforeKill();
    Set<Integer> startedByVictim = ConcurrentHashMap.newKeySet();
    Process victim = ShareVictim.launch(server, c, lease(), o.handlerMs(), o.exponential());
    CountDownLatch ready = new CountDownLatch(1);
    Thread reader = ShareVictim.readStarts(victim, startedByVictim, ready);
    Tally tally = new Tally(jobs);
    try (Database dbB = Share.database(server, Share.CONCURRENCY + 1);
        Database dbP = Share.database(server, Share.PRODUCERS + 1);
        JobQueue b =
            Share.worker(
                dbB,
                c,
                "share-b",
                lease(),
                o.handlerMs(),
                o.exponential(),
                Share.on(tally, new AtomicIntegerArray(jobs), 2));
        JobQueue producer = Share.producer(dbP)) {
      if (backlog) {
        for (int first = 0; first < jobs; first += 1000) {
          long now = System.nanoTime();
          producer.enqueueAll(
              IntStream.range(first, Math.min(jobs, first + 1000))
                  .mapToObj(i -> new Contender.Item(i, now))
                  .toList(),
              EnqueueOptions.defaults());
        }
      }
      if (!ready.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the victim process did not start its queue within 60 s");
      }
      b.start();
      if (backlog) {
        Thread.sleep(secondsBeforeKill() * 1000L);
      } else {
        Thread.sleep(1000);
        Share.offer(producer, jobs, rate);
      }
      victim.destroyForcibly(); // SIGKILL: no shutdown hook, no stop()
      long killed = System.nanoTime();
      victim.waitFor(30, TimeUnit.SECONDS);
      reader.join(10_000);
      List<double[]> held = heldByVictim(); // {id, seconds of lease left}
      long started = held.stream().filter(h -> startedByVictim.contains((int) h[0])).count();
      double[] left = held.stream().mapToDouble(h -> h[1]).sorted().toArray();
      double rescued =
          await(
              killed,
              "select count(*) from " + jobTable() + " where lease_owner = '" + Share.VICTIM + "'");
      double completed =
          await(killed, "select count(*) from " + jobTable() + " where state <> 'completed'");
      String check =
          Double.isNaN(completed)
              ? "jobs still unfinished " + (lease().toSeconds() + 60) + " s after the kill"
              : "";
      String row =
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %d | %d / %d | %s | %s | %s | %s |",
              backlog ? "backlog" : "offered rate",
              c.label(),
              startedByVictim.size(),
              held.size(),
              started,
              held.size() - started,
              left.length == 0
                  ? "-"
                  : String.format(Locale.ROOT, "%.1f-%.1f", left[0], left[left.length - 1]),
              seconds(rescued),
              seconds(completed),
              Share.load());
      rows.add(row);
      log.println("  " + row);
      return Measured.of(
          (backlog ? "share-death-backlog " : "share-death ") + c.label(),
          1,
          QueueReport.TXGUARD,
          jobs,
          secondsBeforeKill(),
          Double.NaN,
          Double.NaN,
          -1,
          new Server.Counters(0, 0, 0, 0, 0, 0, -1),
          Double.NaN,
          Double.NaN,
          check);
    } finally {
      victim.destroyForcibly();
    }
  }

  private static String jobTable() {
    return TxguardContender.SCHEMA + ".job";
  }

  private List<double[]> heldByVictim() throws Exception {
    List<double[]> held = new ArrayList<>();
    try (java.sql.Connection conn = java.sql.DriverManager.getConnection(server.url());
        java.sql.PreparedStatement ps =
            conn.prepareStatement(
                "select (args->>'id')::int, extract(epoch from lease_expires_at - now())::float8"
                    + " from "
                    + jobTable()
                    + " where state = 'running' and lease_owner = ?")) {
      ps.setString(1, Share.VICTIM);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          held.add(new double[] {rs.getInt(1), rs.getDouble(2)});
        }
      }
    }
    return held;
  }

  /** Seconds from {@code since} until {@code countSql} reads 0, or NaN after lease + 60 s. */
  private double await(long since, String countSql) throws Exception {
    long deadline = since + lease().toNanos() + 60_000_000_000L;
    while (server.count(countSql) > 0) {
      if (System.nanoTime() > deadline) {
        return Double.NaN;
      }
      Thread.sleep(50);
    }
    return (System.nanoTime() - since) / 1e9;
  }

  private static String seconds(double s) {
    return Double.isNaN(s) ? "not within the wait" : String.format(Locale.ROOT, "%.1f", s);
  }

  /** The table of the checks run, markdown; empty if none ran. */
  String table() {
    if (rows.isEmpty()) {
      return "";
    }
    return String.format(
            Locale.ROOT,
            "%nProcess A killed (SIGKILL) after %d s of the offered rate, or of a backlog enqueued"
                + " before the start that outlasts the kill; lease %d s, maintenance interval 1 s;"
                + " times from the kill:%n%n",
            secondsBeforeKill(),
            lease().toSeconds())
        + "| load | prefetch / fetchBatchSize | jobs it started | jobs its leases held at the kill"
        + " | of them started / never started | lease left at the kill, s | all rescued after, s"
        + " | every job completed after, s | load (1 min) |\n|---|---|---|---|---|---|---|---|---|\n"
        + String.join("\n", rows)
        + "\n";
  }
}
