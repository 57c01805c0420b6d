package dev.txguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.txguard.Database;
import dev.txguard.queue.EnqueueOptions;
import dev.txguard.queue.JobQueue;
import dev.txguard.queue.JobState;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code txguard queue ...} against a real queue: jobs that completed, failed, wait, and one
 * running attempt past half its lease; text within 100 columns and the documented JSON shapes.
 */
// the fixture seeds job rows in every state, a "running" one included, on purpose: no leak check
@TxguardTest(queue = false, leakCheck = false)
class QueueCommandsIT {
  @Injected static TestDatabase pg;
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final String SCHEMA = "ops";

  record Ok(int n) {}

  record Boom(String why) {}

  record Idle(int n) {}

  static Database db;
  static JobQueue queue;
  static long ok;
  static long failed;
  static long idle1;
  static long idle2;
  static long grouped1;
  static long grouped2;
  static long stuck;

  static String[] args(String... args) {
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
            SCHEMA));
    return all.toArray(String[]::new);
  }

  static Run run(String... args) {
    return Run.of(args(args));
  }

  static JsonNode json(String... args) throws Exception {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--json");
    Run r = run(all.toArray(String[]::new));
    assertThat(r.status()).as(r.err()).isIn(0, 1);
    return MAPPER.readTree(r.out());
  }

  @BeforeAll
  static void setUp() throws Exception {
    Run migrate = run("migrate");
    assertThat(migrate.status()).as(migrate.err()).isZero();
    assertThat(migrate.out()).isEqualTo("schema ops: version 0 -> 3 (applied V1, V2, V3)\n");

    db =
        Database.builder()
            .url(pg.url())
            .user(pg.user())
            .password(pg.password())
            .poolSize(6)
            .build();
    queue =
        JobQueue.builder(db)
            .schema(SCHEMA)
            .pollInterval(Duration.ofMillis(100))
            .maintenanceInterval(Duration.ofMillis(100))
            .handle("ok", Ok.class, job -> job.args().n() * 2)
            .handle(
                "boom",
                Boom.class,
                job -> {
                  throw new IllegalStateException("boom: " + job.args().why());
                })
            .declare("idle", Idle.class)
            .queue("default", 2)
            .build();
    queue.start();
    ok = queue.enqueue(new Ok(21)).id();
    failed = queue.enqueue(new Boom("disk full"), EnqueueOptions.defaults().maxAttempts(1)).id();
    idle1 = queue.enqueue(new Idle(1), EnqueueOptions.defaults().queue("idle")).id();
    idle2 = queue.enqueue(new Idle(2), EnqueueOptions.defaults().queue("idle")).id();
    grouped1 =
        queue.enqueue(new Idle(3), EnqueueOptions.defaults().queue("idle").group("import-7")).id();
    grouped2 =
        queue.enqueue(new Idle(4), EnqueueOptions.defaults().queue("idle").group("import-7")).id();
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (state(ok) != JobState.COMPLETED || state(failed) != JobState.FAILED) {
      if (System.nanoTime() > end) {
        throw new AssertionError(
            "jobs did not finish: ok " + state(ok) + ", boom " + state(failed));
      }
      Thread.sleep(20);
    }
    queue.stop(Duration.ofSeconds(10));
    // a running attempt whose lease was last extended an hour ago (its process is stuck), asked to
    // stop meanwhile
    stuck =
        pg.queryLong(
            "insert into ops.job (kind, queue, args, state, attempt, max_attempts, run_at, created_at,"
                + " attempted_at, leased_at, lease_owner, lease_token, lease_expires_at, cancel_requested)"
                + " values ('idle', 'slow', '{\"n\":9}',"
                + " 'running', 1, 5, now(), now(), now() - interval '1 hour', now() - interval '1 hour', 'host-1/4242/ab',"
                + " gen_random_uuid(), now() + interval '10 minutes', true) returning id");
  }

  @AfterAll
  static void tearDown() {
    queue.stop(Duration.ofSeconds(5));
    db.close();
  }

  static JobState state(long id) {
    return queue.find(id).orElseThrow().state();
  }

  static void assertFits(Run r) {
    assertThat(r.out().lines())
        .allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(100));
  }

  @Test
  void migrateAgainIsUpToDateAndJsonSaysSo() throws Exception {
    Run again = run("migrate");
    JsonNode json = json("migrate");

    assertThat(again.status()).isZero();
    assertThat(again.out()).isEqualTo("schema ops: version 3, up to date (nothing to apply)\n");
    assertThat(json.get("schema").asText()).isEqualTo("ops");
    assertThat(json.get("dryRun").asBoolean()).isFalse();
    assertThat(json.get("before").asInt()).isEqualTo(3);
    assertThat(json.get("after").asInt()).isEqualTo(3);
    assertThat(json.get("applied")).isEmpty();
  }

  @Test
  void statsCountsPerQueueAndStateAndNamesTheStuckAttempt() throws Exception {
    Run text = run("queue", "stats");
    JsonNode json = json("queue", "stats");

    assertThat(text.status()).as(text.err()).isZero();
    assertFits(text);
    assertThat(text.out()).startsWith("schema ops at ");
    assertThat(text.out().lines().filter(l -> l.startsWith("queue ")).findFirst().orElseThrow())
        .contains(
            "sched",
            "avail",
            "running",
            "retry",
            "done",
            "failed",
            "cancel",
            "discard",
            "oldest avail");
    assertThat(text.out()).contains("running past half their lease: 1");
    assertThat(
            text.out()
                .lines()
                .filter(l -> l.contains("host-1/4242/ab"))
                .findFirst()
                .orElseThrow()
                .trim())
        .matches(stuck + " +idle +slow +host-1/4242/ab +1 +1h ago +in 9m\\d*s");

    assertThat(json.get("schema").asText()).isEqualTo("ops");
    assertThat(json.get("at").asText()).endsWith("Z");
    JsonNode idle = find(json.get("queues"), "queue", "idle");
    assertThat(idle.get("counts").size()).isEqualTo(8);
    assertThat(idle.get("counts").get("available").asLong())
        .isGreaterThanOrEqualTo(1); // other tests cancel some
    assertThat(idle.get("oldestAvailableAgeMillis").isNumber()).isTrue();
    JsonNode def = find(json.get("queues"), "queue", "default");
    assertThat(def.get("counts").get("completed").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(def.get("oldestAvailableAgeMillis").isNull()).isTrue();
    assertThat(json.get("totals").size()).isEqualTo(8);
    JsonNode overdue = find(json.get("overdue"), "id", String.valueOf(stuck));
    assertThat(overdue.get("owner").asText()).isEqualTo("host-1/4242/ab");
    assertThat(overdue.get("queue").asText()).isEqualTo("slow");
    Stream.of("kind", "attempt", "attemptedAt", "leasedAt", "leaseExpiresAt")
        .forEach(f -> assertThat(overdue.has(f)).isTrue());
  }

  static JsonNode find(JsonNode array, String field, String value) {
    for (JsonNode n : array) {
      if (n.get(field).asText().equals(value)) {
        return n;
      }
    }
    throw new AssertionError("no element with " + field + " = " + value + " in " + array);
  }

  @Test
  void listFiltersAndPages() throws Exception {
    Run failedOnly = run("queue", "list", "--state", "failed");
    JsonNode idlePage = json("queue", "list", "--queue", "idle", "--limit", "2");

    assertThat(failedOnly.status()).isZero();
    assertFits(failedOnly);
    assertThat(failedOnly.out().lines().toList()).hasSize(2);
    assertThat(failedOnly.out().lines().skip(1).findFirst().orElseThrow())
        .contains(String.valueOf(failed), "failed", "boom", "default", "1/1");

    assertThat(idlePage.get("jobs")).hasSize(2);
    long next = idlePage.get("nextBefore").asLong();
    assertThat(next).isEqualTo(idlePage.get("jobs").get(1).get("id").asLong());
    for (JsonNode j : idlePage.get("jobs")) {
      assertThat(j.get("queue").asText()).isEqualTo("idle");
      Stream.of(
              "id",
              "kind",
              "state",
              "priority",
              "attempt",
              "maxAttempts",
              "createdAt",
              "runAt",
              "finalizedAt",
              "group")
          .forEach(f -> assertThat(j.has(f)).as(f).isTrue());
    }
    Run text = run("queue", "list", "--queue", "idle", "--limit", "2");
    assertThat(text.out()).endsWith("(more: add --before " + next + ")\n");
    JsonNode rest =
        json("queue", "list", "--queue", "idle", "--limit", "2", "--before", String.valueOf(next));
    assertThat(rest.get("jobs")).isNotEmpty();
    rest.get("jobs").forEach(j -> assertThat(j.get("id").asLong()).isLessThan(next));

    assertThat(json("queue", "list", "--group", "import-7").get("jobs")).hasSize(2);
    assertThat(json("queue", "list", "--newer-than", "1h", "--kind", "boom").get("jobs"))
        .hasSize(1);
    assertThat(json("queue", "list", "--older-than", "1h").get("jobs")).isEmpty();
    assertThat(run("queue", "list", "--older-than", "1h").out()).isEqualTo("no jobs match\n");
  }

  @Test
  void showPrintsErrorsWithTheirStacks() throws Exception {
    Run text = run("queue", "show", String.valueOf(failed));
    JsonNode json = json("queue", "show", String.valueOf(failed));
    JsonNode done = json("queue", "show", String.valueOf(ok));

    assertThat(text.status()).isZero();
    assertFits(text);
    assertThat(text.out()).startsWith("job " + failed + ": boom on default, failed\n");
    assertThat(text.out())
        .contains(
            "attempts     1 of 1",
            "args         {\"why\": \"disk full\"}",
            "errors (1, oldest first):",
            "java.lang.IllegalStateException: boom: disk full",
            "QueueCommandsIT");
    assertThat(json.get("state").asText()).isEqualTo("failed");
    assertThat(json.get("args").get("why").asText()).isEqualTo("disk full");
    assertThat(json.get("errors").get(0).get("error").asText()).contains("boom: disk full");
    assertThat(json.get("errors").get(0).get("trace").asText()).contains("QueueCommandsIT");
    assertThat(done.get("result").asInt()).isEqualTo(42);
    Stream.of(
            "id",
            "kind",
            "queue",
            "state",
            "cancelRequested",
            "priority",
            "attempt",
            "maxAttempts",
            "createdAt",
            "runAt",
            "attemptedAt",
            "finalizedAt",
            "uniqueKey",
            "group",
            "leaseOwner",
            "leaseExpiresAt",
            "args",
            "result",
            "errors")
        .forEach(f -> assertThat(json.has(f)).as(f).isTrue());
  }

  /**
   * Newcomer review, session 17: a running job asked to stop showed plainly "running", in text and
   * JSON.
   */
  @Test
  void showOfARunningJobAskedToStopSaysSo() throws Exception {
    Run text = run("queue", "show", String.valueOf(stuck));
    JsonNode json = json("queue", "show", String.valueOf(stuck));
    JsonNode notAsked = json("queue", "show", String.valueOf(failed));

    assertThat(text.status()).as(text.err()).isZero();
    assertThat(text.out())
        .startsWith(
            "job "
                + stuck
                + ": idle on slow, running (cancel requested: it stops when its handler checks)\n");
    assertThat(json.get("state").asText()).isEqualTo("running");
    assertThat(json.get("cancelRequested").asBoolean()).isTrue();
    assertThat(notAsked.get("cancelRequested").asBoolean()).isFalse();
  }

  @Test
  void showOfAMissingJobIsOneLineAndStatusOne() {
    Run run = run("queue", "show", "987654");

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.errLines())
        .containsExactly(
            "txguard: no job 987654 in schema ops (never enqueued, rolled back, or"
                + " deleted after the retention period)");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void retryPutsAFailedJobBackAndSaysWhyOthersWereNot() throws Exception {
    long failedToo =
        pg.queryLong(
            "insert into ops.job (kind, queue, args, state, attempt, max_attempts, run_at,"
                + " created_at, finalized_at) values ('idle', 'retried', '{\"n\":5}', 'failed', 3, 3, now(), now(), now())"
                + " returning id");
    Run run = run("queue", "retry", String.valueOf(failedToo), String.valueOf(ok), "987654");

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.out().lines().toList())
        .containsExactly(
            "    id  outcome",
            pad(failedToo) + "  retried (now available)",
            pad(ok) + "  not retried: completed (only failed or discarded jobs are retried)",
            "987654  not retried: no such job");
    assertThat(pg.queryLong("select max_attempts from ops.job where id = " + failedToo))
        .isEqualTo(4);
    assertThat(
            pg.queryLong(
                "select count(*) from ops.job where id = "
                    + failedToo
                    + " and state = 'available'"
                    + " and finalized_at is null"))
        .isEqualTo(1);

    JsonNode json = json("queue", "retry", String.valueOf(failedToo));
    assertThat(json.get("jobs").get(0).get("id").asLong()).isEqualTo(failedToo);
    assertThat(json.get("jobs").get(0).get("changed").asBoolean()).isFalse();
    assertThat(json.get("jobs").get(0).get("state").asText()).isEqualTo("available");
    assertThat(json.get("jobs").get(0).get("outcome").asText())
        .startsWith("not retried: available");
    assertThat(json.get("changed").asLong()).isZero();
    assertThat(json.get("unchanged").asLong()).isEqualTo(1);
  }

  static String pad(long id) {
    return String.format("%6d", id);
  }

  @Test
  void cancelByIdAndByGroup() throws Exception {
    Run first = run("queue", "cancel", String.valueOf(idle1));
    Run again = run("queue", "cancel", String.valueOf(idle1), "--json");
    Run group = run("queue", "cancel", "--group", "import-7", "--wait", "2s");
    JsonNode groupAgain = json("queue", "cancel", "--group", "import-7");

    assertThat(first.status()).isZero();
    assertThat(first.out().lines().toList().get(1)).endsWith("  cancelled");
    assertThat(again.status()).isEqualTo(1);
    JsonNode j = MAPPER.readTree(again.out());
    assertThat(j.get("jobs").get(0).get("outcome").asText())
        .isEqualTo("not cancelled: already cancelled");
    assertThat(group.status()).isZero();
    assertThat(group.out())
        .isEqualTo(
            "group import-7: 2 cancelled before they ran, 0 running ended, 0 still" + " running\n");
    assertThat(group.err())
        .isEqualTo("cancelling group import-7 and waiting up to 2s for its running jobs ...\n");
    assertThat(groupAgain.get("group").asText()).isEqualTo("import-7");
    assertThat(groupAgain.get("cancelled").asInt()).isZero();
    Stream.of("waitMillis", "waitedFor", "stillRunning", "allStopped")
        .forEach(f -> assertThat(groupAgain.has(f)).isTrue());
    assertThat(state(grouped1)).isEqualTo(JobState.CANCELLED);
    assertThat(state(grouped2)).isEqualTo(JobState.CANCELLED);
    assertThat(state(idle2)).isEqualTo(JobState.AVAILABLE);
  }

  @Test
  void pruneDeletesOldFinishedJobsWithProgress() throws Exception {
    pg.execute(
        "insert into ops.job (kind, queue, args, state, attempt, max_attempts, run_at, created_at,"
            + " finalized_at) select 'idle', 'old', '{}', 'completed', 1, 1, now(), now(), now() - interval '30 days'"
            + " from generate_series(1, 1500)");
    Run none = run("queue", "prune", "--older-than", "60d");
    Run run = run("queue", "prune", "--older-than", "7d");
    JsonNode json = json("queue", "prune", "--older-than", "7d");

    assertThat(none.out()).isEqualTo("deleted 0 finished jobs older than 60d from ops\n");
    assertThat(run.status()).isZero();
    assertThat(run.out()).isEqualTo("deleted 1500 finished jobs older than 7d from ops\n");
    assertThat(run.errLines()).containsExactly("deleted 1000 ...", "deleted 1500 ...");
    assertThat(pg.queryLong("select count(*) from ops.job where queue = 'old'")).isZero();
    assertThat(json.get("deleted").asLong()).isZero();
    assertThat(json.get("olderThanMillis").asLong()).isEqualTo(Duration.ofDays(7).toMillis());
    assertThat(json.get("schema").asText()).isEqualTo("ops");
  }

  /**
   * Newcomer review: {@code queue list} showed {@code group-with-a-lo...} and {@code 2026-12-02
   * 18:2...}, {@code queue stats} cut the queue name. Identifiers and timestamps are copied into
   * the next command: shown whole, the line wider than 100 columns if need be.
   */
  @Test
  void longNamesAndTimestampsAreShownWholeNotCut() throws Exception {
    String longQueue = "nightly-import-of-the-product-catalogue-from-the-eu-warehouse";
    String longGroup = "group-with-a-long-name-for-the-catalogue-import-of-2026-12-02";
    long id =
        pg.queryLong(
            "insert into ops.job (kind, queue, args, state, attempt, max_attempts, run_at,"
                + " created_at, job_group) values ('idle', '"
                + longQueue
                + "', '{\"n\":8}', 'available', 0, 5, now(), now(), '"
                + longGroup
                + "') returning id");
    try {
      Run list = run("queue", "list", "--queue", longQueue);
      Run stats = run("queue", "stats");
      Run show = run("queue", "show", String.valueOf(id));

      assertThat(list.status()).as(list.err()).isZero();
      String row = list.out().lines().skip(1).findFirst().orElseThrow();
      assertThat(row)
          .doesNotContain("...")
          .contains(longQueue, longGroup)
          .containsPattern("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ");
      assertThat(stats.out().lines().filter(l -> l.startsWith(longQueue + " ")))
          .as(stats.out())
          .hasSize(1);
      assertThat(show.out()).contains("group        " + longGroup + "\n");
    } finally {
      pg.execute("delete from ops.job where id = " + id);
    }
  }

  @Test
  void anUnmigratedSchemaIsABadInvocation() {
    Run run =
        Run.of(
            "queue",
            "stats",
            "--url",
            pg.url(),
            "--user",
            pg.user(),
            "--password",
            pg.password(),
            "--schema",
            "nothere");

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.errLines().get(0))
        .startsWith("txguard: schema nothere on " + pg.url())
        .endsWith(
            "is at queue version 0 of 3 (no txguard queue there): run txguard migrate first (or pass the right --schema)");
    assertThat(run.errLines()).hasSize(2);
  }

  @Test
  void aBadSchemaNameIsABadInvocation() {
    Run run =
        Run.of(
            "queue",
            "stats",
            "--url",
            pg.url(),
            "--user",
            pg.user(),
            "--password",
            pg.password(),
            "--schema",
            "Bad-Name");

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.errLines().get(0))
        .startsWith("txguard: --schema: schema must be a lower-case SQL identifier");
  }
}
