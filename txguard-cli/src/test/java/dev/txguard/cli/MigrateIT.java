package dev.txguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code txguard migrate}: dry runs, a refused migration, and two runs at once on one database. */
@TxguardTest(queue = false)
class MigrateIT {
  @Injected static TestDatabase pg;
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** LockKeys.MIGRATE: the first half of the migration lock's key. */
  static final int MIGRATE_LOCK = 0x7467_5101;

  static Run migrate(String schema, String... more) {
    List<String> args = new ArrayList<>(List.of("migrate", "--schema", schema));
    args.addAll(List.of(more));
    // the server from the environment, as an operator's script would give it
    return Run.withEnv(
        Map.of(
            "TXGUARD_URL", pg.url(), "TXGUARD_USER", pg.user(), "TXGUARD_PASSWORD", pg.password()),
        args.toArray(String[]::new));
  }

  @Test
  void dryRunPrintsTheSqlAndChangesNothing() throws Exception {
    Run text = migrate("fresh", "--dry-run");
    Run json = migrate("fresh", "--dry-run", "--json");

    assertThat(text.status()).as(text.err()).isZero();
    assertThat(text.out())
        .startsWith(
            "-- txguard migrate --dry-run: schema fresh is at version 0 of 3.\n"
                + "-- This SQL would run in one transaction, after taking the migration advisory lock\n"
                + "-- and creating fresh.queue_migration if it is missing.\n");
    // the header fits 100 columns; the migrations' SQL is printed as shipped (V1 and V2 cannot
    // change:
    // Flyway and Liquibase users hold their checksums)
    assertThat(text.out().lines().limit(3))
        .allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(100));
    assertThat(text.out())
        .contains(
            "-- V1__create_job.sql\n",
            "create table fresh.job (",
            "-- V2__call_and_cancel.sql\n",
            "-- V3__schedules_and_admin.sql\n",
            "create table fresh.schedule_run (",
            "insert into fresh.queue_migration (version, file) values (3, 'V3__schedules_and_admin.sql');");
    assertThat(text.out()).doesNotContain("${schema}");
    JsonNode node = MAPPER.readTree(json.out());
    assertThat(node.get("schema").asText()).isEqualTo("fresh");
    assertThat(node.get("dryRun").asBoolean()).isTrue();
    assertThat(node.get("current").asInt()).isZero();
    assertThat(node.get("latest").asInt()).isEqualTo(3);
    assertThat(node.get("pending")).hasSize(3);
    assertThat(node.get("pending").get(2).get("version").asInt()).isEqualTo(3);
    assertThat(node.get("pending").get(2).get("file").asText())
        .isEqualTo("V3__schedules_and_admin.sql");
    assertThat(node.get("pending").get(2).get("sql").asText())
        .contains("create table fresh.schedule (");
    assertThat(pg.queryLong("select count(*) from pg_namespace where nspname = 'fresh'")).isZero();
  }

  @Test
  void aRefusedMigrationIsOneLineStatusOneAndAppliesNothing() throws Exception {
    assertThat(migrate("broken").status()).isZero();
    pg.execute("delete from broken.queue_migration where version = 3");

    Run dry = migrate("broken", "--dry-run");
    Run run = migrate("broken");

    assertThat(dry.out())
        .startsWith("-- txguard migrate --dry-run: schema broken is at version 2 of 3.\n");
    assertThat(dry.out()).contains("-- V3__schedules_and_admin.sql").doesNotContain("-- V2__");
    assertThat(run.status()).isEqualTo(1);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.errLines().get(0))
        .startsWith("txguard: ")
        .contains("42P07")
        .doesNotContain(pg.password().isEmpty() ? "\u0000" : pg.password());
    assertThat(pg.queryLong("select count(*) from broken.queue_migration")).isEqualTo(2);
  }

  @Test
  void aSchemaMigratedByANewerTxguardIsRefused() throws Exception {
    // regression: 'version 9, up to date' with status 0, and queue commands ran on it
    assertThat(migrate("future").status()).isZero();
    pg.execute(
        "insert into future.queue_migration (version, file) values (9, 'V9__from_the_future.sql')");

    for (Run run :
        List.of(
            migrate("future"),
            migrate("future", "--dry-run"),
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
                "future"))) {
      assertThat(run.status()).isEqualTo(2);
      assertThat(run.errLines().get(0))
          .isEqualTo(
              "txguard: schema future on "
                  + pg.url()
                  + " is at queue version 9,"
                  + " newer than this txguard knows (3): use the txguard that migrated it, or a newer one");
    }
  }

  /**
   * Break-it review, session 16: 'migrate --schema user' exited 1 with the server's 'syntax error
   * at or near "user"' and its SQL, and --dry-run printed SQL that cannot run.
   */
  @Test
  void aReservedKeyWordAsSchemaIsABadInvocation() {
    for (List<String> args :
        List.of(List.of("user"), List.of("user", "--dry-run"), List.of("order", "--json"))) {
      String word = args.get(0);
      Run run = migrate(word, args.subList(1, args.size()).toArray(String[]::new));
      assertThat(run.status()).as(run.err()).isEqualTo(2);
      assertThat(run.errLines().get(0))
          .isEqualTo(
              "txguard: --schema: schema must not be a reserved key word of PostgreSQL, which"
                  + " cannot name a schema without quotes; was \""
                  + word
                  + "\": choose another name, e.g. \""
                  + word
                  + "_queue\"");
      assertThat(run.out()).isEmpty();
    }
  }

  @Test
  void twoRunsAtOnceApplyEachMigrationOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (Connection holder = pg.connect();
        Statement st = holder.createStatement()) {
      // hold the migration lock so that both runs are surely waiting for it at the same time
      st.execute("select pg_advisory_lock(" + MIGRATE_LOCK + ", hashtext('racing'))");
      List<Future<Run>> runs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        runs.add(pool.submit(() -> migrate("racing", "--json")));
      }
      awaitWaiters("pg_advisory_xact_lock", 2);
      st.execute("select pg_advisory_unlock(" + MIGRATE_LOCK + ", hashtext('racing'))");

      List<JsonNode> results = new ArrayList<>();
      for (Future<Run> f : runs) {
        Run r = f.get(60, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.err()).isZero();
        results.add(MAPPER.readTree(r.out()));
      }
      results.sort((a, b) -> Integer.compare(a.get("before").asInt(), b.get("before").asInt()));
      assertThat(results.get(0).get("before").asInt()).isZero();
      assertThat(results.get(0).get("after").asInt()).isEqualTo(3);
      assertThat(results.get(0).get("applied").toString()).isEqualTo("[1,2,3]");
      assertThat(results.get(1).get("before").asInt()).isEqualTo(3);
      assertThat(results.get(1).get("after").asInt()).isEqualTo(3);
      assertThat(results.get(1).get("applied")).isEmpty();
      assertThat(pg.queryLong("select count(*) from racing.queue_migration")).isEqualTo(3);
      assertThat(pg.queryLong("select count(distinct version) from racing.queue_migration"))
          .isEqualTo(3);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Waits (bounded) until {@code n} sessions wait for a lock in a statement containing {@code
   * fragment}.
   */
  static void awaitWaiters(String fragment, int n) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String query =
        "select count(*) from pg_stat_activity where datname = current_database()"
            + " and wait_event_type = 'Lock' and position('"
            + fragment
            + "' in query) > 0";
    long seen;
    while ((seen = pg.queryLong(query)) < n) {
      if (System.nanoTime() > end) {
        throw new AssertionError(
            "only " + seen + " of " + n + " migrate runs ever waited for the migration lock");
      }
      Thread.sleep(10);
    }
  }
}
