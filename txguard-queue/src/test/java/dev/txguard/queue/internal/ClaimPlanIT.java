package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The claim's generic plan — the one a prepared statement caches — on an empty, never analysed
 * table is an index scan on the claim index, not a sequential scan; and a prepared claim does run
 * on its generic plan once the plan cache has tried its custom plans (with LIMIT as a parameter it
 * was planned anew on every call).
 */
@TxguardTest(queue = false)
class ClaimPlanIT {
  @Injected static TestDatabase pg;

  @Test
  void theCachedClaimPlanOnAnEmptyUnanalysedTableUsesTheClaimIndex() throws Exception {
    Sql sql = new Sql("plan");
    try (Database db = ClaimFixture.db(pg)) {
      new Migrator(db, sql).migrate();
    }
    StringBuilder plan = new StringBuilder();
    try (Connection c = pg.connect();
        Statement st = c.createStatement()) {
      st.execute("prepare claim as " + ClaimFixture.numbered(sql.claim(10)));
      st.execute("set plan_cache_mode = force_generic_plan");
      try (ResultSet rs =
          st.executeQuery(
              "explain execute claim(null, 'default', -1, 'epoch', 0, '{work}', 0, 'owner', 30000)")) {
        while (rs.next()) {
          plan.append(rs.getString(1)).append('\n');
        }
      }
    }
    assertThat(plan.toString()).contains("job_claim_idx").doesNotContain("Seq Scan on job");
    // the cursor starts the index scan (see ClaimCursor), rather than filtering what it read
    assertThat(plan.toString())
        .containsPattern("Index Cond: .*ROW\\((j\\.)?priority, (j\\.)?run_at, (j\\.)?id\\) >");
  }

  @Test
  void aPreparedClaimRunsOnItsGenericPlanAfterItsFirstCustomPlans() throws Exception {
    Sql sql = new Sql("generic");
    try (Database db = ClaimFixture.db(pg)) {
      new Migrator(db, sql).migrate();
    }
    try (Connection c = pg.connect()) {
      Assumptions.assumeTrue(
          c.getMetaData().getDatabaseMajorVersion() >= 14,
          "pg_prepared_statements counts generic and custom plans from PostgreSQL 14");
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute(
            "insert into generic.job (kind, queue, args, state, max_attempts, run_at, created_at)"
                + " select 'work', 'default', '{}', 'available', 20, now(), now()"
                + " from generate_series(1, 20000)");
        // as autovacuum soon does on a queue's table: statistics that say every job has priority 0
        st.execute("analyze generic.job");
      }
      // pgjdbc prepares a statement on the server from its fifth execution (prepareThreshold), and
      // the server's plan cache tries five custom plans before it weighs the generic one. Each
      // claim starts after the last job of the one before, as the fetcher's cursor does: a custom
      // plan for a cursor beyond what the table's statistics know estimates one row, cheaper than
      // any generic plan (its estimate of the row comparison is that of its first column, priority
      // >
      // 0: no row), so a plan cache that compared them would plan every claim anew.
      int runs = 15;
      Object[] cursor = {-1, 0L, 0L};
      try (PreparedStatement ps = c.prepareStatement(sql.claim(16))) {
        for (int i = 0; i < runs; i++) {
          ClaimFixture.bind(ps, c, null, "default", cursor, "generic-plan-test");
          int claimed = 0;
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              claimed++;
              cursor =
                  new Object[] {rs.getInt("priority"), rs.getLong("run_at_us"), rs.getLong("id")};
            }
          }
          assertThat(claimed).as("jobs taken by claim %d", i + 1).isEqualTo(16);
        }
      }
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "select generic_plans, custom_plans from pg_prepared_statements"
                      + " where statement like '%lease_token = gen_random_uuid()%'")) {
        assertThat(rs.next()).as("the claim prepared on the server after %d runs", runs).isTrue();
        assertThat(rs.getLong("generic_plans"))
            .as("runs on the generic plan (custom plans: %d)", rs.getLong("custom_plans"))
            .isPositive();
      }
      c.rollback();
    }
  }
}
