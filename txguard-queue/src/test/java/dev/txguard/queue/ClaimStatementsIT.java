package dev.txguard.queue;

import dev.txguard.Database;
import dev.txguard.test.FaultProxy;
import dev.txguard.test.FaultProxy.Sent;
import dev.txguard.test.Injected;
import dev.txguard.test.PostgresServer;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What a claim unit sends, recorded on the wire by a proxy: BEGIN with the plan settings
 * (plan_lookups.sql: the claim's plan looks its jobs up by key however small the table was when it
 * was made; GrownTablePlanIT), the claim statement, then COMMIT, in three round trips, and nothing
 * else on its connection before the connection's next unit. Its asynchronous commit is set inside
 * the claim statement (no separate SET LOCAL), it asks no transaction id for commit-outcome
 * resolution (a lost claim COMMIT is decided by attempt token: LostClaimCommitIT), and its
 * connection needs no session reset.
 */
@TxguardTest(queue = false)
class ClaimStatementsIT {
  @Injected static TestDatabase pg;

  record Work(int n) {}

  private static final String CLAIM = "lease_token = gen_random_uuid()";

  @Test
  void aClaimSendsItsPlanSettingsStatementAndCommitInThreeRoundTrips() throws Exception {
    List<List<Sent>> sent;
    try (FaultProxy proxy = new FaultProxy(PostgresServer.get())) {
      proxy.recordStatements();
      Database db = QueueFixture.db(pg, proxy, Duration.ofSeconds(10));
      AtomicLong handled = new AtomicLong();
      JobQueue queue =
          QueueFixture.builder(pg, db, "claim_statements")
              .handle(
                  "work",
                  Work.class,
                  job -> {
                    handled.incrementAndGet();
                    return null;
                  })
              .queue("default", 2)
              .prefetch(2)
              .build();
      QueueFixture.start(queue);
      try {
        for (int i = 0; i < 20; i++) {
          queue.enqueue(new Work(i));
        }
        QueueFixture.awaitProgress("jobs handled", handled::get, 20);
      } finally {
        QueueFixture.stop(queue, db);
      }
      sent = proxy.sent();
    }
    List<List<Sent>> claims = QueueFixture.unitsAround(sent, sql -> sql.contains(CLAIM));
    QueueFixture.assertEachUnitSent(
        claims, ClaimStatementsIT::kind, 3, "BEGIN", "plan lookups", "claim", "COMMIT");
  }

  /** A statement's text, or BEGIN, "claim" or "plan lookups" for those. */
  private static String kind(String sql) {
    return sql.startsWith("BEGIN")
        ? "BEGIN"
        : sql.contains(CLAIM)
            ? "claim"
            : sql.contains(QueueFixture.PLAN_LOOKUPS) ? "plan lookups" : sql;
  }
}
