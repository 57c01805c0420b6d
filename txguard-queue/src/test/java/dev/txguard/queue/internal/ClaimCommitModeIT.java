package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.queue.JobQueue;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The claim statement makes its own transaction commit asynchronously: after it, in the same
 * transaction, {@code synchronous_commit} is off even where the transaction had set it on (the
 * embedded server's default is off already, so the test turns it on first).
 */
@TxguardTest(queue = false)
class ClaimCommitModeIT {
  @Injected static TestDatabase pg;

  record Work(int n) {}

  @Test
  void theClaimStatementTurnsSynchronousCommitOffForItsTransaction() throws Exception {
    Sql sql = new Sql("commit_mode");
    try (Database db = ClaimFixture.db(pg)) {
      JobQueue queue =
          JobQueue.builder(db).schema("commit_mode").declare("work", Work.class).build();
      queue.migrate();
      queue.enqueue(new Work(1));
    }
    try (Connection c = pg.connect()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("set local synchronous_commit = on");
      }
      int claimed = 0;
      try (PreparedStatement ps = c.prepareStatement(sql.claim(10))) {
        ClaimFixture.bind(ps, c, null, "default", new Object[] {-1, 0L, 0L}, "commit-mode-test");
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            claimed++;
          }
        }
      }
      String mode;
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("show synchronous_commit")) {
        rs.next();
        mode = rs.getString(1);
      }
      c.rollback();
      assertThat(claimed).as("jobs claimed").isEqualTo(1);
      assertThat(mode)
          .as("synchronous_commit after the claim, in its transaction")
          .isEqualTo("off");
    }
  }
}
