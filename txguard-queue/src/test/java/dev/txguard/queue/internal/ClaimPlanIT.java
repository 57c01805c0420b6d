package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The claim's generic plan — the one a prepared statement caches — on an empty, never analysed
 * table is an index scan on the claim index, not a sequential scan.
 */
@TxguardTest(queue = false)
class ClaimPlanIT {
  @Injected static TestDatabase pg;

  @Test
  void theCachedClaimPlanOnAnEmptyUnanalysedTableUsesTheClaimIndex() throws Exception {
    Sql sql = new Sql("plan");
    try (Database db =
        Database.builder()
            .url(pg.url())
            .user(pg.user())
            .password(pg.password())
            .connectionTimeout(Duration.ofSeconds(10))
            .poolSize(1)
            .build()) {
      new Migrator(db, sql).migrate();
    }
    StringBuilder plan = new StringBuilder();
    try (Connection c = pg.connect();
        Statement st = c.createStatement()) {
      st.execute("prepare claim as " + numbered(sql.claim));
      st.execute("set plan_cache_mode = force_generic_plan");
      try (ResultSet rs =
          st.executeQuery(
              "explain execute claim(null, 'default', -1, 'epoch', 0, '{work}', 0, 10, 'owner', 30000)")) {
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

  /**
   * Turns JDBC {@code ?} placeholders into {@code $1, $2, ...} (the claim has none in comments).
   */
  private static String numbered(String sql) {
    Matcher m = Pattern.compile("\\?").matcher(sql);
    StringBuilder out = new StringBuilder();
    int n = 0;
    while (m.find()) {
      m.appendReplacement(out, "\\$" + ++n);
    }
    return m.appendTail(out).toString();
  }
}
