package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a completion unit sends, recorded on the wire by a proxy. A transactional job's unit: BEGIN
 * with the handler's statement, the completion (without the plan settings, which would last until
 * the user's COMMIT), then COMMIT, in three round trips; a batch of plain jobs' completions: BEGIN
 * with the plan settings (plan_lookups.sql), the batch statement, then COMMIT, in three. Neither
 * asks for its transaction id before COMMIT (core's commit-outcome resolution, one round trip
 * more): the completion statement returns it, and the core resolves a lost COMMIT with it
 * (LostCompletionReplyIT).
 */
@TxguardTest(queue = false)
class CompletionStatementsIT {
  @Injected static TestDatabase pg;

  record Box(int n) {}

  record Work(int n) {}

  private static final String HANDLER = "completion_statements_box";
  private static final String COMPLETE = "set state = 'completed'";
  private static final String BATCH = "unnest(";

  static List<List<Sent>> sent;

  @BeforeAll
  static void runJobs() throws Exception {
    pg.execute("create table " + HANDLER + " (n int not null)");
    try (FaultProxy proxy = new FaultProxy(PostgresServer.get())) {
      proxy.recordStatements();
      Database db = QueueFixture.db(pg, proxy, Duration.ofSeconds(10));
      AtomicLong handled = new AtomicLong();
      JobQueue queue =
          QueueFixture.builder(pg, db, "completion_statements")
              .handleInTx(
                  "box",
                  Box.class,
                  (tx, job) -> {
                    tx.update("insert into " + HANDLER + " values (?)", job.args().n());
                    handled.incrementAndGet();
                    return null;
                  })
              .handle(
                  "work",
                  Work.class,
                  job -> {
                    handled.incrementAndGet();
                    return null;
                  })
              .queue("default", 2)
              .build();
      QueueFixture.start(queue);
      try {
        for (int i = 0; i < 10; i++) {
          queue.enqueue(new Box(i));
          queue.enqueue(new Work(i));
        }
        QueueFixture.awaitProgress("jobs handled", handled::get, 20);
      } finally {
        QueueFixture.stop(queue, db);
      }
      sent = proxy.sent();
    }
  }

  @Test
  void aTransactionalJobsUnitSendsItsStatementsTheCompletionAndCommitInThreeRoundTrips() {
    List<List<Sent>> units = QueueFixture.unitsAround(sent, sql -> kind(sql).equals("complete"));
    assertThat(units)
        .as("job units that ended (recorded on %d connections)", sent.size())
        .hasSize(10);
    QueueFixture.assertEachUnitSent(
        units, CompletionStatementsIT::kind, 3, "BEGIN", "handler", "complete", "COMMIT");
  }

  @Test
  void aBatchOfCompletionsSendsItsPlanSettingsStatementAndCommitInThreeRoundTrips() {
    List<List<Sent>> units =
        QueueFixture.unitsAround(sent, sql -> kind(sql).equals("complete batch"));
    QueueFixture.assertEachUnitSent(
        units,
        CompletionStatementsIT::kind,
        3,
        "BEGIN",
        "plan lookups",
        "complete batch",
        "COMMIT");
  }

  /** A statement's text, or what it is for those of a completion unit. */
  private static String kind(String sql) {
    if (sql.startsWith("BEGIN")) {
      return "BEGIN";
    }
    if (sql.contains(COMPLETE)) {
      return sql.contains(BATCH) ? "complete batch" : "complete";
    }
    if (sql.contains(QueueFixture.PLAN_LOOKUPS)) {
      return "plan lookups";
    }
    return sql.contains(HANDLER) ? "handler" : sql;
  }
}
