package dev.txguard.bench.queue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;

/**
 * What the server itself does with a queue's lifecycle, as the ceiling: pgbench (PostgreSQL's C
 * client, on the same cores) with 16 clients, each repeatedly claiming up to 100 available jobs in
 * one statement ({@code FOR UPDATE SKIP LOCKED}, committed) and completing them in a second
 * (committed), on a job table of the same shape as a queue's, filled by one batch insert.
 */
final class PgbenchLimit {
  static final String NAME = "pgbench limit";
  static final String TABLE = "bench_pgq";
  static final int BATCH = 100;
  private static final int CLIENTS = 16;

  static final String SCRIPT =
      """
      BEGIN;
      UPDATE bench_pgq SET state = 'running', attempt = attempt + 1, locked_by = :client_id, started_at = now()
        WHERE id IN (SELECT id FROM bench_pgq WHERE state = 'available' ORDER BY id LIMIT 100
                     FOR UPDATE SKIP LOCKED);
      COMMIT;
      BEGIN;
      UPDATE bench_pgq SET state = 'completed', locked_by = NULL, finished_at = now()
        WHERE locked_by = :client_id AND state = 'running';
      COMMIT;
      """;

  private PgbenchLimit() {}

  static String configuration() {
    return "pgbench -n -M prepared -c 16 -j 2, script: claim up to 100 available rows (UPDATE ... WHERE id IN"
        + " (SELECT ... ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED), commit) then complete them (UPDATE by"
        + " client id, commit); table with jsonb args, partial indexes on available ids and running clients";
  }

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

  static void install(Server server) throws Exception {
    server.execute("drop table if exists " + TABLE);
    server.execute(
        "create table "
            + TABLE
            + " (id bigint generated always as identity primary key,"
            + " state text not null, attempt int not null default 0, locked_by int, args jsonb not null,"
            + " run_at timestamptz not null default now(), started_at timestamptz, finished_at timestamptz)"
            + " with (fillfactor = 80)");
    server.execute(
        "create index " + TABLE + "_available_idx on " + TABLE + " (id) where state = 'available'");
    server.execute(
        "create index "
            + TABLE
            + "_running_idx on "
            + TABLE
            + " (locked_by) where state = 'running'");
  }

  /**
   * Fills the table with {@code jobs} available rows, then drains it with pgbench and measures
   * that.
   */
  static Measured run(Server server, int round, int jobs, Path out) throws Exception {
    server.execute("truncate " + TABLE);
    // on a connection of its own, which reports its inserts as it closes, before the counters are
    // read
    try (Connection c = DriverManager.getConnection(server.url());
        Statement st = c.createStatement()) {
      st.execute(
          "insert into "
              + TABLE
              + " (state, args) select 'available', jsonb_build_object('id', g, 'n', 0)"
              + " from generate_series(0, "
              + (jobs - 1)
              + ") g");
    }
    Thread.sleep(200);
    server.execute("vacuum analyze " + TABLE);
    Path script = Files.createTempFile("bench-pgq", ".sql");
    Files.writeString(script, SCRIPT, StandardCharsets.UTF_8);
    int perClient =
        (jobs + BATCH * CLIENTS - 1) / (BATCH * CLIENTS) + 1; // the last ones find nothing left
    List<String> command =
        List.of(
            "pgbench",
            "-n",
            "-M",
            "prepared",
            "-c",
            Integer.toString(CLIENTS),
            "-j",
            "2",
            "-t",
            Integer.toString(perClient),
            "-f",
            script.toString(),
            "-h",
            server.host(),
            "-p",
            Integer.toString(server.port()),
            "-U",
            server.user(),
            server.database());
    Server.Counters before = server.counters();
    long start = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    long end = System.nanoTime();
    long serverCpuEnd = server.cpuNanos();
    Files.deleteIfExists(script);
    Files.writeString(
        out.resolve("pgbench-r" + round + ".log"), String.join(" ", command) + "\n" + output);
    if (exit != 0) {
      throw new IllegalStateException("pgbench failed (exit " + exit + "): " + output);
    }
    Thread.sleep(300);
    Server.Counters delta = server.counters().withServerCpu(serverCpuEnd).minus(before);
    long done =
        server.count(
            "select count(*) from " + TABLE + " where state = 'completed' and attempt = 1");
    String check =
        done == jobs ? "" : (jobs - done) + " of " + jobs + " rows not completed exactly once";
    double seconds = (end - start) / 1e9;
    return Measured.of(
        "noop",
        round,
        NAME,
        jobs,
        seconds,
        jobs / seconds,
        Double.NaN,
        -1,
        delta,
        Double.NaN,
        Double.NaN,
        check);
  }
}
