package dev.txguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.txguard.Database;
import dev.txguard.queue.JobQueue;
import dev.txguard.queue.Schedule;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code txguard queue processes} and {@code txguard queue schedules} (newcomer review: the CLI
 * could not show processes, the maintenance leader or schedules, though {@code QueueAdmin} has
 * them) against a started queue that leads, with two schedules, and a lease of a process that is
 * gone.
 */
// a started queue holds its control connection and the leader's lock for the whole class, and the
// fixture seeds a "running" job of a gone process: no leak check
@TxguardTest(queue = false, leakCheck = false)
class QueueProcessesSchedulesIT {
  @Injected static TestDatabase pg;
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final String SCHEMA = "procs";
  static final String OWNER = "ops-node-1";
  static final String GONE = "gone-host/77/ab";
  static final String TIMESTAMP = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ";

  record Report(String name) {}

  record Noop() {}

  static Database db;
  static JobQueue queue;
  static long reportJob;

  static Run run(String... args) {
    return runOn(SCHEMA, args);
  }

  static Run runOn(String schema, String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(
        List.of(
            "--url",
            pg.url(),
            "--user",
            pg.user(),
            "--password",
            pg.password(),
            "--schema",
            schema));
    return Run.of(all.toArray(String[]::new));
  }

  static JsonNode json(String... args) throws Exception {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--json");
    Run r = run(all.toArray(String[]::new));
    assertThat(r.status()).as(r.err()).isZero();
    return MAPPER.readTree(r.out());
  }

  @BeforeAll
  static void setUp() throws Exception {
    Run migrate = run("migrate");
    assertThat(migrate.status()).as(migrate.err()).isZero();
    db =
        Database.builder()
            .url(pg.url())
            .user(pg.user())
            .password(pg.password())
            .poolSize(4)
            .build();
    queue =
        JobQueue.builder(db)
            .schema(SCHEMA)
            .owner(OWNER)
            .pollInterval(Duration.ofMillis(200))
            .maintenanceInterval(Duration.ofMillis(200))
            .declare("report", Report.class)
            .schedule(
                "nightly",
                Schedule.cron("0 3 * * *", ZoneId.of("Europe/Berlin")),
                new Report("nightly"))
            // months away: recorded, never enqueued during the test
            .schedule("rare-report", Schedule.every(Duration.ofDays(300)), new Report("rare"))
            .handle("noop", Noop.class, job -> null)
            .queue("idle", 1)
            .build();
    queue.start();
    await("ops-node-1 leads", queue::isLeader);
    await(
        "both schedules recorded", () -> pg.queryLong("select count(*) from procs.schedule") == 2);
    // the last run of rare-report: a completed job
    reportJob =
        pg.queryLong(
            "insert into procs.job (kind, queue, args, state, attempt, max_attempts, run_at,"
                + " created_at, attempted_at, finalized_at) values ('report', 'default',"
                + " '{\"name\":\"rare\"}', 'completed', 1, 1, now(), now(), now(), now()) returning id");
    pg.execute(
        "insert into procs.schedule_run (schedule, fire_at, job_id, created_at) values"
            + " ('rare-report', now() - interval '1 hour', "
            + reportJob
            + ", now())");
    // a running attempt of a process that is gone: its lease expires in 10 minutes
    pg.execute(
        "insert into procs.job (kind, queue, args, state, attempt, max_attempts, run_at, created_at,"
            + " attempted_at, leased_at, lease_owner, lease_token, lease_expires_at) values ('report',"
            + " 'slow', '{\"name\":\"x\"}', 'running', 1, 5, now(), now(), now(), now(), '"
            + GONE
            + "', gen_random_uuid(), now() + interval '10 minutes')");
  }

  @AfterAll
  static void tearDown() {
    queue.stop(Duration.ofSeconds(10));
    db.close();
  }

  static void await(String what, Callable<Boolean> done) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!done.call()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("gave up waiting for: " + what + " after 60 s");
      }
      Thread.sleep(50);
    }
  }

  static long backendPid() throws Exception {
    return pg.queryLong(
        "select pid from pg_stat_activity where application_name = 'txguard procs " + OWNER + "'");
  }

  static JsonNode element(JsonNode array, String field, String value) {
    return StreamSupport.stream(array.spliterator(), false)
        .filter(n -> n.get(field).asText().equals(value))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + field + " = " + value + " in " + array));
  }

  static List<String> fields(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void processesShowTheLeaderItsBackendPidAndTheLeasesOfAGoneProcess() throws Exception {
    Run text = run("queue", "processes");

    assertThat(text.status()).as(text.err()).isZero();
    List<String> lines = text.out().lines().toList();
    assertThat(lines.get(0)).matches("schema procs at " + TIMESTAMP);
    assertThat(lines.get(1))
        .matches(
            "owner +alive +leader +backend pid +connected +running +first expiry +last expiry");
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .matches(OWNER + " +yes +yes +" + backendPid() + " +\\S+ ago +0 +- +-"));
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .matches(
                        GONE
                            + " +no +no +- +- +1 +in (9m\\d+(\\.\\d)?s|10m) +in (9m\\d+(\\.\\d)?s|10m)"));
    assertThat(text.out())
        .contains("backend pid: the PostgreSQL server process of the control connection, not");
    assertThat(lines).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(100));
  }

  @Test
  void processesAsJson() throws Exception {
    JsonNode json = json("queue", "processes");

    assertThat(json.get("schema").asText()).isEqualTo("procs");
    assertThat(json.get("at").asText()).endsWith("Z");
    JsonNode processes = json.get("processes");
    assertThat(processes.get(0).get("owner").asText()).as("the leader first").isEqualTo(OWNER);
    JsonNode leader = element(processes, "owner", OWNER);
    assertThat(fields(leader))
        .containsExactly(
            "owner",
            "alive",
            "leader",
            "backendPid",
            "connectedSince",
            "running",
            "firstLeaseExpiry",
            "lastLeaseExpiry");
    assertThat(leader.get("alive").asBoolean()).isTrue();
    assertThat(leader.get("leader").asBoolean()).isTrue();
    assertThat(leader.get("backendPid").asLong()).isEqualTo(backendPid());
    assertThat(leader.get("connectedSince").asText()).endsWith("Z");
    assertThat(leader.get("running").asLong()).isZero();
    assertThat(leader.get("firstLeaseExpiry").isNull()).isTrue();
    JsonNode gone = element(processes, "owner", GONE);
    assertThat(gone.get("alive").asBoolean()).isFalse();
    assertThat(gone.get("leader").asBoolean()).isFalse();
    assertThat(gone.get("backendPid").isNull()).isTrue();
    assertThat(gone.get("connectedSince").isNull()).isTrue();
    assertThat(gone.get("running").asLong()).isEqualTo(1);
    assertThat(gone.get("firstLeaseExpiry").asText()).endsWith("Z");
    assertThat(gone.get("lastLeaseExpiry").asText()).endsWith("Z");
  }

  @Test
  void schedulesShowEveryFieldOfEachSchedule() throws Exception {
    Run text = run("queue", "schedules");

    assertThat(text.status()).as(text.err()).isZero();
    List<String> lines = text.out().lines().toList();
    assertThat(lines.get(0)).matches("schema procs at " + TIMESTAMP + ": 2 schedules");
    String out = text.out();
    assertThat(out)
        .containsPattern(
            "\nnightly\n"
                + "  definition     cron '0 3 \\* \\* \\*' Europe/Berlin\n"
                + "  next run       "
                + TIMESTAMP
                + " \\(in [^)]+\\)\n"
                + "  last run       - \\(none kept\\)\n"
                + "  handled until  "
                + TIMESTAMP
                + "\n"
                + "  updated        "
                + TIMESTAMP
                + " \\([^)]+ ago\\)\n");
    assertThat(out)
        .containsPattern(
            "\nrare-report\n"
                + "  definition     every PT7200H\n"
                + "  next run       "
                + TIMESTAMP
                + " \\(in [^)]+\\)\n"
                + "  last run       "
                + TIMESTAMP
                + ": job "
                + reportJob
                + ", completed\n");
    assertThat(lines).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(100));
  }

  @Test
  void schedulesAsJson() throws Exception {
    JsonNode json = json("queue", "schedules");

    assertThat(json.get("schema").asText()).isEqualTo("procs");
    assertThat(json.get("at").asText()).endsWith("Z");
    JsonNode schedules = json.get("schedules");
    assertThat(schedules).hasSize(2);
    assertThat(schedules.get(0).get("name").asText()).isEqualTo("nightly");
    JsonNode nightly = schedules.get(0);
    assertThat(fields(nightly))
        .containsExactly(
            "name",
            "definition",
            "handledUntil",
            "updatedAt",
            "lastRun",
            "lastJobId",
            "lastJobState",
            "nextRun");
    assertThat(nightly.get("definition").asText()).isEqualTo("cron '0 3 * * *' Europe/Berlin");
    assertThat(nightly.get("handledUntil").asText()).endsWith("Z");
    assertThat(nightly.get("updatedAt").asText()).endsWith("Z");
    assertThat(nightly.get("lastRun").isNull()).isTrue();
    assertThat(nightly.get("lastJobId").isNull()).isTrue();
    assertThat(nightly.get("lastJobState").isNull()).isTrue();
    assertThat(nightly.get("nextRun").asText()).endsWith(":00:00Z");
    JsonNode rare = schedules.get(1);
    assertThat(rare.get("name").asText()).isEqualTo("rare-report");
    assertThat(rare.get("lastRun").asText()).endsWith("Z");
    assertThat(rare.get("lastJobId").asLong()).isEqualTo(reportJob);
    assertThat(rare.get("lastJobState").asText()).isEqualTo("completed");
  }

  @Test
  void aSchemaWithoutProcessesOrSchedulesSaysSo() {
    Run migrate = runOn("procs_empty", "migrate");
    assertThat(migrate.status()).as(migrate.err()).isZero();

    Run processes = runOn("procs_empty", "queue", "processes");
    Run schedules = runOn("procs_empty", "queue", "schedules");

    assertThat(processes.status()).as(processes.err()).isZero();
    assertThat(processes.out())
        .isEqualTo(
            "no processes on schema procs_empty: no queue is started there and no job is"
                + " running\n");
    assertThat(schedules.status()).as(schedules.err()).isZero();
    assertThat(schedules.out())
        .isEqualTo(
            "no schedules recorded in schema procs_empty (the leader of a started queue records"
                + " the schedules declared on its builder)\n");
  }

  @Test
  void anUnmigratedSchemaNamesMigrate() {
    for (String command : List.of("processes", "schedules")) {
      Run run = runOn("nothere", "queue", command);

      assertThat(run.status()).as(run.err()).isEqualTo(2);
      assertThat(run.errLines())
          .containsExactly(
              "txguard: schema nothere on "
                  + pg.url()
                  + " is at queue version 0 of 3 (no txguard queue there): run txguard migrate"
                  + " first (or pass the right --schema)",
              "Usage hint: txguard queue " + command + " --help");
      assertThat(run.out()).isEmpty();
    }
  }
}
