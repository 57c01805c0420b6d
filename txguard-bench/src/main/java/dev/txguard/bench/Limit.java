package dev.txguard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the server itself can do with the units' statements: pgbench, PostgreSQL's own C client,
 * runs the same transactions pipelined (BEGIN, the statements and COMMIT in one round trip), so no
 * JVM contender can beat it and each score reads as a fraction of it. pgbench shares the two cores
 * with the server exactly as the JVM does.
 */
final class Limit {
  /** One pgbench run: per-second throughput samples, the first second dropped as ramp-up. */
  record Result(String unit, int clients, double[] tps) {
    double median() {
      double[] sorted = tps.clone();
      Arrays.sort(sorted);
      int n = sorted.length;
      return n == 0
          ? Double.NaN
          : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    double min() {
      return Arrays.stream(tps).min().orElse(Double.NaN);
    }

    double max() {
      return Arrays.stream(tps).max().orElse(Double.NaN);
    }
  }

  private static final Pattern PROGRESS = Pattern.compile("^progress: [0-9.]+ s, ([0-9.]+) tps");

  private static final String READ_SCRIPT =
      """
      \\set id random(1, %d)
      \\startpipeline
      BEGIN;
      SELECT balance FROM bench_account WHERE id = :id;
      COMMIT;
      \\endpipeline
      """
          .formatted(Schema.ACCOUNTS);

  // lower id first, as the JVM contenders do
  private static final String WRITE_SCRIPT =
      """
      \\set a random(1, %d)
      \\set b random(1, %d)
      \\set b case when :b >= :a then :b + 1 else :b end
      \\set lo least(:a, :b)
      \\set hi greatest(:a, :b)
      \\set amount random(1, 99)
      \\startpipeline
      BEGIN;
      UPDATE bench_account SET balance = balance - :amount WHERE id = :lo;
      UPDATE bench_account SET balance = balance + :amount WHERE id = :hi;
      INSERT INTO bench_transfer(from_id, to_id, amount) VALUES (:lo, :hi, :amount);
      COMMIT;
      \\endpipeline
      """
          .formatted(Schema.ACCOUNTS, Schema.ACCOUNTS - 1);

  private Limit() {}

  /** Whether pgbench is on the PATH; without it the report leaves the limit column empty. */
  static boolean available() {
    try {
      Process p = new ProcessBuilder("pgbench", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs one unit at one client count on a freshly recreated dataset. */
  static Result run(String unit, int clients, int seconds, Path dir)
      throws IOException, InterruptedException {
    Schema.recreate();
    Path script = dir.resolve("pgbench-" + unit + ".sql");
    Files.writeString(
        script, unit.equals("read") ? READ_SCRIPT : WRITE_SCRIPT, StandardCharsets.UTF_8);
    Connection target = Connection.parse(BenchSetup.url());
    List<String> command =
        new ArrayList<>(
            List.of(
                "pgbench",
                "-n",
                "-M",
                "prepared",
                "-P",
                "1",
                "-c",
                String.valueOf(clients),
                "-j",
                String.valueOf(Math.min(clients, 2)),
                "-T",
                String.valueOf(seconds),
                "-f",
                script.toString(),
                "-h",
                target.host,
                "-p",
                String.valueOf(target.port)));
    if (target.user != null) {
      command.addAll(List.of("-U", target.user));
    }
    command.add(target.database);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (target.password != null) {
      pb.environment().put("PGPASSWORD", target.password);
    }
    Path log = dir.resolve("pgbench-" + unit + "-c" + clients + ".log");
    pb.redirectOutput(log.toFile());
    int exit = pb.start().waitFor();
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    if (exit != 0) {
      throw new IllegalStateException("pgbench exited with " + exit + "; its output is in " + log);
    }
    List<Double> samples = new ArrayList<>();
    for (String line : lines) {
      Matcher m = PROGRESS.matcher(line);
      if (m.find()) {
        samples.add(Double.parseDouble(m.group(1)));
      }
    }
    if (samples.size() > 1) {
      samples.remove(0);
    }
    return new Result(unit, clients, samples.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** The parts of a {@code jdbc:postgresql://} URL that pgbench takes as options. */
  private record Connection(String host, int port, String database, String user, String password) {
    static Connection parse(String jdbcUrl) {
      if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
        throw new IllegalArgumentException(
            BenchSetup.URL_ENV + " must be a jdbc:postgresql:// URL, was " + jdbcUrl);
      }
      URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
      Map<String, String> query = new HashMap<>();
      if (uri.getQuery() != null) {
        for (String pair : uri.getQuery().split("&")) {
          int eq = pair.indexOf('=');
          if (eq > 0) {
            query.put(pair.substring(0, eq), pair.substring(eq + 1));
          }
        }
      }
      String path =
          uri.getPath() == null || uri.getPath().length() <= 1
              ? "postgres"
              : uri.getPath().substring(1);
      return new Connection(
          uri.getHost() == null ? "localhost" : uri.getHost(),
          uri.getPort() < 0 ? 5432 : uri.getPort(),
          path,
          query.get("user"),
          query.get("password"));
    }
  }

  static void requireDirectory(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }
}
