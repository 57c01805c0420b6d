package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.FaultProxy;
import dev.txguard.test.FaultProxy.Sent;
import dev.txguard.test.Injected;
import dev.txguard.test.PostgresServer;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * What the announcer's unit sends while another process listens, recorded on the wire by a proxy:
 * BEGIN with one statement that queues the notifications and makes the unit's commit asynchronous,
 * then COMMIT, in two round trips. No SET LOCAL of its own, and no transaction-id query before
 * COMMIT (core's commit-outcome resolution asks for it in units that may write; the statement only
 * reads by its text, and a lost COMMIT of notifications leaves the jobs to the listeners' polls).
 * The listener still hears every job.
 */
@TxguardTest(queue = false)
class AnnounceStatementsIT {
  @Injected static TestDatabase pg;

  record Greet(int n) {}

  private static final String SCHEMA = "announce_statements";
  private static final int JOBS = 5;

  static List<List<Sent>> sent;
  static final List<String> heard = new ArrayList<>();

  @BeforeAll
  static void enqueueWhileAnotherProcessListens() throws Exception {
    try (FaultProxy proxy = new FaultProxy(PostgresServer.get());
        Connection otherProcess = pg.connect()) {
      proxy.recordStatements();
      Database db = QueueFixture.db(pg, proxy, Duration.ofSeconds(10));
      try {
        JobQueue producer =
            QueueFixture.builder(pg, db, SCHEMA)
                .owner("producer")
                .declare("greet", Greet.class)
                .build();
        producer.migrate();
        // another process's control connection: named first, then listening (as ControlConnection)
        try (Statement st = otherProcess.createStatement()) {
          st.execute(
              "select set_config('application_name', 'txguard " + SCHEMA + " other', false)");
          st.execute("listen " + SCHEMA + "_jobs");
        }
        PGConnection listener = otherProcess.unwrap(PGConnection.class);
        for (int i = 0; i < JOBS; i++) {
          String queue = "q" + i;
          producer.enqueue(new Greet(i), EnqueueOptions.defaults().queue(queue));
          // one job at a time, each heard before the next: each is announced by a unit of its own
          QueueFixture.await(
              "the other process hears the job of queue " + queue,
              () -> {
                PGNotification[] ns = listener.getNotifications(200);
                for (PGNotification n : ns == null ? new PGNotification[0] : ns) {
                  heard.add(n.getParameter().substring(0, n.getParameter().indexOf('@')));
                }
                return heard.contains(queue);
              },
              () -> "heard so far: " + heard);
        }
      } finally {
        db.close();
      }
      sent = proxy.sent();
    }
  }

  @Test
  void everyJobIsHeard() {
    assertThat(heard).containsExactly("q0", "q1", "q2", "q3", "q4");
  }

  @Test
  void anAnnouncementSendsOneStatementAndCommitInTwoRoundTrips() {
    List<List<Sent>> units = QueueFixture.unitsAround(sent, sql -> kind(sql).equals("announce"));
    assertThat(units)
        .as("announcing units (recorded on %d connections)", sent.size())
        .hasSize(JOBS);
    QueueFixture.assertEachUnitSent(
        units, AnnounceStatementsIT::kind, 2, "BEGIN", "announce", "COMMIT");
  }

  /** A statement's text, or what it is for those of an announcing unit. */
  private static String kind(String sql) {
    if (sql.startsWith("BEGIN")) {
      return "BEGIN";
    }
    return sql.contains("pg_notify(") ? "announce" : sql;
  }
}
