package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The statements that match running attempts by job id and attempt token (the batched completion,
 * the heartbeat, a give-up, a failure's record) look the ids up in the primary key, in the generic
 * plan a prepared statement caches, with the statistics a queue table has: taken while thousands of
 * jobs waited and few ran. Written with {@code state = 'running'} they scanned the whole
 * job_lease_idx instead (priced at one row), which between VACUUMs holds an entry for every job
 * claimed since: the completions of the sustained benchmark walked 290 million index entries in its
 * first minutes.
 */
@TxguardTest(queue = false)
class LeaseMatchPlanIT {
  @Injected static TestDatabase pg;

  private static final String UUID = "00000000-0000-0000-0000-000000000000";

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "complete_batch|null, '{1,2}', '{" + UUID + "," + UUID + "}', '{null,null}'",
        "heartbeat|null, '{1,2}', '{" + UUID + "," + UUID + "}', 30000",
        "give_up|null, 1, '" + UUID + "', 'shutdown'",
        "record_failure|null, false, 0, 1, '" + UUID + "', 'boom', null",
        // brk11 finding 2: the completion of a transactional handler's unit and a grouped
        // attempt's cancel check match a running attempt by id and token too
        "complete|null, null, 1, '" + UUID + "'",
        "cancel_check|1, '" + UUID + "'"
      })
  void idsAreLookedUpInThePrimaryKeyWhenFewJobsRun(String statement, String parameters)
      throws Exception {
    assertPrimaryKeyPlan(statement, parameters, "force_generic_plan");
  }

  /**
   * brk11 finding 2: a statement run once on its connection (cancel_check.sql on a grouped
   * attempt's dedicated connection; any statement before the driver prepares it on the server) is
   * planned with its parameters' values, and must look the id up in the primary key too.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "complete|null, null, 1, '" + UUID + "'",
        "cancel_check|1, '" + UUID + "'",
        "give_up|null, 1, '" + UUID + "', 'shutdown'",
        "record_failure|null, false, 0, 1, '" + UUID + "', 'boom', null"
      })
  void idsAreLookedUpInThePrimaryKeyInCustomPlans(String statement, String parameters)
      throws Exception {
    assertPrimaryKeyPlan(statement, parameters, "force_custom_plan");
  }

  private static void assertPrimaryKeyPlan(String statement, String parameters, String planMode)
      throws Exception {
    String schema = "lease_plan_" + statement + (planMode.contains("custom") ? "_custom" : "");
    Sql sql = new Sql(schema);
    try (Database db = ClaimFixture.db(pg)) {
      new Migrator(db, sql).migrate();
    }
    String text =
        switch (statement) {
          case "complete_batch" -> sql.completeBatch;
          case "heartbeat" -> sql.heartbeat;
          case "give_up" -> sql.giveUp;
          case "complete" -> sql.complete;
          case "cancel_check" -> sql.cancelCheck;
          default -> sql.recordFailure;
        };
    String plan;
    try (Connection c = pg.connect();
        Statement st = c.createStatement()) {
      st.execute(
          "insert into "
              + schema
              + ".job (kind, queue, args, state, max_attempts, run_at, created_at)"
              + " select 'work', 'default', '{}', 'available', 20, now(), now()"
              + " from generate_series(1, 20000)");
      // as autovacuum does on a queue's table: statistics of thousands of jobs waiting, none
      // running
      st.execute("analyze " + schema + ".job");
      st.execute(
          "update "
              + schema
              + ".job set state = 'running', attempt = 1, lease_token = gen_random_uuid(),"
              + " lease_expires_at = now() + interval '30 seconds' where id <= 100");
      plan = ClaimFixture.explainPrepared(st, text, parameters, planMode);
      st.execute("drop schema " + schema + " cascade"); // no running job left behind
    }
    assertThat(plan)
        .as("plan of %s (%s)", statement, planMode)
        .contains("job_pkey")
        .doesNotContain("job_lease_idx")
        .doesNotContain("Seq Scan on job");
  }
}
