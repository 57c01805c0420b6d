package dev.txguard.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.queue.JobQueue;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard over 100,000 jobs: the plans of the queries behind its pages use indexes (read with
 * EXPLAIN, asserted), and each API call's time is measured and written to
 * target/dashboard-scale.txt (recorded in the module's README, never asserted).
 */
@TxguardTest(queue = false, leakCheck = false)
class DashboardScaleIT {
  static final int JOBS = 100_000;
  @Injected static TestDatabase pg;
  static Database db;
  static Dashboard dashboard;

  @BeforeAll
  static void setUp() throws Exception {
    db =
        Database.builder()
            .url(pg.url())
            .user(pg.user())
            .password(pg.password())
            .poolSize(4)
            .build();
    JobQueue queue = JobQueue.builder(db).schema("scale").build();
    queue.migrate();
    // states like a busy day's table: mostly completed, some failed, a backlog, a few running
    pg.execute(
        "insert into scale.job (kind, queue, args, state, attempt, max_attempts, run_at, created_at, attempted_at,"
            + " finalized_at, leased_at, lease_owner, lease_token, lease_expires_at, errors, job_group)"
            + " select 'kind' || (i % 7), 'queue' || (i % 5), jsonb_build_object('n', i), s.state, 1, 3,"
            + "   now() - (i % 7200) * interval '1 second', now() - (i % 7200) * interval '1 second',"
            + "   now() - (i % 7200) * interval '1 second',"
            + "   case when s.state in ('completed', 'failed', 'cancelled', 'discarded') then now() - (i % 7200) * interval '1 second' end,"
            + "   case when s.state = 'running' then now() end, case when s.state = 'running' then 'node-' || (i % 3) end,"
            + "   case when s.state = 'running' then gen_random_uuid() end,"
            + "   case when s.state = 'running' then now() + interval '5 minutes' end,"
            + "   case when s.state = 'failed' then '[{\"attempt\":1,\"at\":\"2030-01-01T00:00:00Z\",\"error\":\"x\",\"trace\":\"\"}]'::jsonb"
            + "        else '[]'::jsonb end, 'group' || (i % 1000)"
            + " from generate_series(1, "
            + JOBS
            + ") i,"
            + " lateral (select case when i % 100 < 70 then 'completed' when i % 100 < 75 then 'failed'"
            + "   when i % 100 < 90 then 'available' when i % 100 < 95 then 'scheduled' when i % 100 < 96 then 'running'"
            + "   else 'cancelled' end as state) s",
        "analyze scale.job");
    dashboard =
        Dashboard.builder(queue.admin()).token("scale-test-token-0123").port(0).build().start();
  }

  @AfterAll
  static void tearDown() {
    if (dashboard != null) {
      dashboard.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @Test
  void theQueriesBehindThePagesUseIndexes() throws Exception {
    try (Connection c = pg.connect()) {
      assertIndexed(
          c, "admin_list", "no filter", null, null, null, null, null, null, null, null, 51);
      assertIndexed(
          c,
          "admin_list",
          "failed on one queue",
          c.createArrayOf("text", new String[] {"failed"}),
          null,
          c.createArrayOf("text", new String[] {"queue1"}),
          null,
          null,
          null,
          null,
          null,
          51);
      assertIndexed(
          c, "admin_list", "a group", null, null, null, "group7", null, null, null, null, 51);
      assertIndexed(
          c, "admin_list", "next page", null, null, null, null, null, null, null, 50_000L, 51);
      assertIndexed(c, "find", "one job", 4242L);
      assertIndexed(c, "admin_throughput", "last hour", null, Duration.ofHours(1).toMillis());
      assertIndexed(c, "admin_overdue", "near their lease", null, 100);
      assertIndexed(c, "admin_processes", "processes", "txguard scale ", 0x7467_5102, "scale");
      assertIndexed(c, "admin_schedules", "schedules");
    }
  }

  @Test
  void everyApiCallIsMeasured() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    List<String> lines = new ArrayList<>();
    for (String path :
        List.of(
            "",
            "api/session",
            "api/overview",
            "api/throughput",
            "api/processes",
            "api/schedules",
            "api/jobs",
            "api/jobs?state=failed",
            "api/jobs?queue=queue3&kind=kind2",
            "api/jobs?group=group7",
            "api/jobs?before=50000",
            "api/jobs/4242",
            "assets/uplot.js")) {
      long[] ms = new long[7];
      for (int i = 0; i < ms.length; i++) {
        long t0 = System.nanoTime();
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(dashboard.uri() + path))
                    .header("Authorization", "Bearer scale-test-token-0123")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        ms[i] = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(200);
      }
      long first = ms[0];
      Arrays.sort(ms);
      lines.add(
          String.format(
              "%-40s first %5d ms, median %4d ms, max %4d ms", "/" + path, first, ms[3], ms[6]));
    }
    Files.createDirectories(Path.of("target"));
    Files.write(Path.of("target", "dashboard-scale.txt"), lines);
    lines.forEach(System.out::println);
  }

  private static void assertIndexed(Connection c, String statement, String what, Object... params)
      throws Exception {
    String plan = explain(c, statement, params);
    assertThat(plan)
        .as("plan of %s (%s):%n%s", statement, what, plan)
        .doesNotContain("Seq Scan on job");
    assertThat(plan)
        .as("plan of %s (%s):%n%s", statement, what, plan)
        .containsPattern("Index (Only )?Scan");
  }

  private static String explain(Connection c, String statement, Object... params) throws Exception {
    String sql;
    try (InputStream in =
        JobQueue.class.getResourceAsStream("/dev/txguard/queue/sql/" + statement + ".sql")) {
      sql = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${schema}", "scale");
    }
    sql = sql.lines().filter(l -> !l.startsWith("--")).reduce("", (a, b) -> a + "\n" + b);
    try (PreparedStatement ps = c.prepareStatement("explain " + sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      StringBuilder plan = new StringBuilder();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          plan.append(rs.getString(1)).append('\n');
        }
      }
      return plan.toString();
    }
  }
}
