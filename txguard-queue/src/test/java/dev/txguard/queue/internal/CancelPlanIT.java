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
 * Cancelling a job by id or a group's jobs finds the rows through an index, in the generic plan a
 * prepared statement caches and in a plan made with the parameters' values, on a table of 20,000
 * analysed jobs. One statement with optional filters ({@code id = coalesce(?, id)}, {@code
 * job_group is not distinct from coalesce(?, job_group)}) read the whole table: by group in every
 * plan (IS NOT DISTINCT FROM is no indexable operator), by id in the generic plan.
 */
@TxguardTest(queue = false)
class CancelPlanIT {
  @Injected static TestDatabase pg;

  @ParameterizedTest(name = "{0} {2}")
  @CsvSource({
    "cancel_job, 'null, 15000', force_generic_plan, job_pkey",
    "cancel_job, 'null, 15000', force_custom_plan, job_pkey",
    "cancel_group, 'null, ''g7''', force_generic_plan, job_group_idx",
    "cancel_group, 'null, ''g7''', force_custom_plan, job_group_idx"
  })
  void cancelFindsItsRowsThroughAnIndex(
      String statement, String parameters, String planMode, String index) throws Exception {
    String schema = "cancel_plan_" + statement + (planMode.contains("custom") ? "_custom" : "");
    Sql sql = new Sql(schema);
    try (Database db = ClaimFixture.db(pg)) {
      new Migrator(db, sql).migrate();
    }
    String text = statement.equals("cancel_job") ? sql.cancelJob : sql.cancelGroup;
    String plan;
    try (Connection c = pg.connect();
        Statement st = c.createStatement()) {
      // a queue's table as it mostly is: finished jobs, a few waiting, one in ten in a group of 20
      st.execute(
          "insert into "
              + schema
              + ".job (kind, queue, args, state, max_attempts, run_at, created_at, finalized_at,"
              + " job_group)"
              + " select 'work', 'default', '{}',"
              + " case when g % 50 = 0 then 'available' else 'completed' end, 20, now(), now(),"
              + " case when g % 50 = 0 then null else now() end,"
              + " case when g % 10 = 0 then 'g' || (g / 10 % 100) end"
              + " from generate_series(1, 20000) g");
      st.execute("analyze " + schema + ".job");
      plan = ClaimFixture.explainPrepared(st, text, parameters, planMode);
      st.execute("drop schema " + schema + " cascade");
    }
    assertThat(plan)
        .as("plan of %s (%s)", statement, planMode)
        .contains(index)
        .doesNotContain("Seq Scan on job");
  }
}
