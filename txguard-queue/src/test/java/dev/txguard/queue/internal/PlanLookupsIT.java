package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The statements that find jobs by key (the claim, the batched completion, the heartbeat and its
 * check, and the single-job statements of the queue's own units: a failure's record, a give-up, a
 * cancel, a call's outcome, a group's running count) run after plan_lookups.sql, and the generic
 * plan a prepared statement caches there is an index lookup however small the table was: the claim
 * an ordered scan of job_claim_idx that stops at its LIMIT, the batches a nested loop over the
 * batch into job_pkey, the single jobs job_pkey (a group's cancel job_group_idx). The cache keeps
 * that plan when the table then grows (here by 20,000 waiting jobs, not analysed, as between two
 * autovacuum runs), so no statement reads the whole table or the whole backlog.
 */
@TxguardTest(queue = false)
class PlanLookupsIT {
  @Injected static TestDatabase pg;

  private static final String UUID = "00000000-0000-0000-0000-000000000000";
  private static final String CLAIM =
      "null, 'default', -1, '-infinity', 0, '{work}', 0, 'me', 30000";

  @ParameterizedTest(name = "{0} on {1} analysed rows")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "claim|60|" + CLAIM,
        "claim|3000|" + CLAIM,
        "complete_batch|60|null, '{1,2}', '{" + UUID + "," + UUID + "}', '{null,null}'",
        "complete_batch|3000|null, '{1,2}', '{" + UUID + "," + UUID + "}', '{null,null}'",
        "heartbeat|60|null, '{1,2}', '{" + UUID + "," + UUID + "}', 30000",
        "heartbeat|3000|null, '{1,2}', '{" + UUID + "," + UUID + "}', 30000",
        "heartbeat_check|60|'{1,2}', '{" + UUID + "," + UUID + "}'",
        "heartbeat_check|3000|'{1,2}', '{" + UUID + "," + UUID + "}'",
        "record_failure|60|null, false, 0, 1, '" + UUID + "', 'boom', null",
        "give_up|60|null, 1, '" + UUID + "', 'shutdown'",
        "cancel_job|60|null, 1",
        "cancel_group|60|null, 'g1'",
        "group_running|60|'g1'",
        "outcome|60|1"
      })
  void aPlanMadeAfterThePlanSettingsLooksJobsUpAndIsKeptWhenTheTableGrows(
      String statement, int rows, String parameters) throws Exception {
    String schema = "plan_lookups_" + statement + "_" + rows;
    Sql sql = new Sql(schema);
    String[] plans = plans(sql, schema, statement, rows, parameters, true);
    for (int i = 0; i < 2; i++) {
      assertThat(plans[i])
          .as("%s's generic plan %s", statement, i == 0 ? "as made" : "after 20,000 more jobs")
          .doesNotContain("Seq Scan on job")
          .doesNotContain("Hash Join")
          .doesNotContain("Merge Join")
          .doesNotContain("Bitmap Heap Scan")
          .contains(
              switch (statement) {
                case "claim" -> "Index Scan using job_claim_idx";
                case "cancel_group", "group_running" -> "job_group_idx";
                default -> "job_pkey";
              });
    }
  }

  /**
   * Why the settings are there: made without them on a small table whose statistics say jobs wait
   * (a new queue, one retention keeps small), the claim's generic plan joins its jobs to the job
   * table by reading the whole table, a call's outcome finds its job by reading the whole table,
   * and both keep doing so after the table grew.
   */
  @ParameterizedTest(name = "{0} on {1} analysed rows")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {"claim|3000|" + CLAIM, "outcome|60|1"})
  void withoutThePlanSettingsAStatementReadsTheWholeTableItGrewInto(
      String statement, int rows, String parameters) throws Exception {
    String schema = "plan_lookups_unset_" + statement;
    String[] plans = plans(new Sql(schema), schema, statement, rows, parameters, false);
    assertThat(plans[1])
        .as("%s's cached generic plan", statement)
        .containsPattern("Seq Scan on job ");
  }

  /**
   * Migrates {@code schema}, fills it with {@code rows} waiting jobs and analyses it; prepares
   * {@code statement} and explains its generic plan in a transaction that applied plan_lookups.sql
   * (if {@code settings}), then again, outside any such transaction, after 20,000 more waiting
   * jobs. Returns both plans.
   */
  private static String[] plans(
      Sql sql, String schema, String statement, int rows, String parameters, boolean settings)
      throws Exception {
    try (Database db = ClaimFixture.db(pg)) {
      new Migrator(db, sql).migrate();
    }
    String text =
        switch (statement) {
          case "claim" -> sql.claim(128);
          case "complete_batch" -> sql.completeBatch;
          case "heartbeat" -> sql.heartbeat;
          case "heartbeat_check" -> sql.heartbeatCheck;
          case "record_failure" -> sql.recordFailure;
          case "give_up" -> sql.giveUp;
          case "cancel_job" -> sql.cancelJob;
          case "cancel_group" -> sql.cancelGroup;
          case "group_running" -> sql.groupRunning;
          case "outcome" -> sql.outcome;
          default -> throw new IllegalArgumentException(statement);
        };
    String insert =
        "insert into "
            + schema
            + ".job (kind, queue, args, state, max_attempts, run_at, created_at, job_group)"
            + " select 'work', 'default', '{}', 'available', 20, now() - interval '1 hour', now(),"
            + " 'g' || (g % 100)"
            + " from generate_series(1, ";
    String[] plans = new String[2];
    try (Connection c = pg.connect();
        Statement st = c.createStatement()) {
      st.execute("alter table " + schema + ".job set (autovacuum_enabled = false)");
      st.execute(insert + rows + ") g");
      st.execute("analyze " + schema + ".job");
      c.setAutoCommit(false);
      if (settings) {
        st.execute(sql.planLookups);
      }
      st.execute("set local plan_cache_mode = force_generic_plan");
      st.execute("prepare s as " + ClaimFixture.numbered(text));
      plans[0] = explain(st, parameters);
      c.commit();
      c.setAutoCommit(true);
      st.execute(insert + "20000) g");
      st.execute("set plan_cache_mode = force_generic_plan");
      plans[1] = explain(st, parameters);
      st.execute("deallocate s");
      st.execute("drop schema " + schema + " cascade");
    }
    return plans;
  }

  private static String explain(Statement st, String parameters) throws Exception {
    StringBuilder plan = new StringBuilder();
    try (ResultSet rs = st.executeQuery("explain execute s(" + parameters + ")")) {
      while (rs.next()) {
        plan.append(rs.getString(1)).append('\n');
      }
    }
    return plan.toString();
  }
}
