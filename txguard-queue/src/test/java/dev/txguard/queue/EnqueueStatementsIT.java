package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.test.FaultProxy;
import dev.txguard.test.FaultProxy.Sent;
import dev.txguard.test.Injected;
import dev.txguard.test.PostgresServer;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a user's unit that enqueues sends, recorded on the wire by a proxy: the enqueue statement
 * returns the unit's transaction id, so core's commit-outcome resolution does not ask for it before
 * COMMIT. A unit that writes a business row and enqueues a job thus takes three round trips (BEGIN
 * with the business row, the enqueue, COMMIT), as many as the business row alone with its id query.
 * When such a unit's COMMIT reply is lost, the core still decides it with that id: committed, run
 * once, its job there once and its after-commit actions run, also when the enqueue that returned
 * the id was in a savepoint that rolled back (the id is the top-level transaction's).
 */
@TxguardTest(queue = false)
class EnqueueStatementsIT {
  @Injected static TestDatabase pg;

  record Parcel(String tag) {}

  private static final String SCHEMA = "enqstmt";
  private static final String BUSINESS = "enq_statements_business";

  static List<List<Sent>> sent;
  static FaultProxy cutting;
  static Database cuttingDb;
  static JobQueue cuttingQueue;

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute("create table " + BUSINESS + " (tag text not null)");
    try (FaultProxy recording = new FaultProxy(PostgresServer.get())) {
      recording.recordStatements();
      Database db = QueueFixture.db(pg, recording, Duration.ofSeconds(10));
      try {
        JobQueue queue = queue(db);
        queue.migrate();
        db.useTx(
            tx -> {
              business(tx, "plain");
              queue.enqueue(tx, new Parcel("plain"));
            });
        db.useTx(
            tx -> {
              business(tx, "unique");
              queue.enqueue(
                  tx, new Parcel("unique"), EnqueueOptions.defaults().uniqueKey("enq-stmt-unique"));
            });
        db.useTx(
            tx -> {
              business(tx, "batch");
              queue.enqueueAll(
                  tx, List.of(new Parcel("b1"), new Parcel("b2")), EnqueueOptions.defaults());
            });
      } finally {
        db.close();
      }
      sent = recording.sent();
    }
    cutting = new FaultProxy(PostgresServer.get());
    cuttingDb = QueueFixture.db(pg, cutting, Duration.ofSeconds(10));
    cuttingQueue = queue(cuttingDb);
  }

  @AfterAll
  static void tearDown() throws Exception {
    cuttingDb.close();
    cutting.close();
  }

  private static JobQueue queue(Database db) {
    return QueueFixture.builder(pg, db, SCHEMA).declare("parcel", Parcel.class).build();
  }

  private static void business(dev.txguard.Tx tx, String tag) {
    // the tag as a literal: the cutting proxy looks for it in the statement's text
    tx.update("insert into " + BUSINESS + " values ('" + tag + "')");
  }

  @Test
  void aUnitThatWritesARowAndEnqueuesAJobTakesThreeRoundTrips() {
    assertSent("enqueue", "enqueue");
  }

  @Test
  void aUnitThatEnqueuesAUniqueJobTakesThreeRoundTrips() {
    assertSent("enqueue unique", "enqueue unique");
  }

  @Test
  void aUnitThatEnqueuesABatchTakesThreeRoundTrips() {
    assertSent("enqueue batch", "enqueue batch");
  }

  private static void assertSent(String statement, String kindOfEnqueue) {
    List<List<Sent>> units = QueueFixture.unitsAround(sent, sql -> kind(sql).equals(statement));
    assertThat(units).as("units with a %s (of %d connections)", statement, sent.size()).hasSize(1);
    QueueFixture.assertEachUnitSent(
        units, EnqueueStatementsIT::kind, 3, "BEGIN", "business", kindOfEnqueue, "COMMIT");
  }

  /** A statement's text, or what it is for those of an enqueuing unit. */
  private static String kind(String sql) {
    if (sql.startsWith("BEGIN")) {
      return "BEGIN";
    }
    if (sql.contains("insert into " + SCHEMA + ".job")) {
      if (sql.contains("unnest(")) {
        return "enqueue batch";
      }
      return sql.contains("on conflict") ? "enqueue unique" : "enqueue";
    }
    return sql.contains(BUSINESS) ? "business" : sql;
  }

  @Test
  void aUnitThatEnqueuedAndLostItsCommitReplyIsDecidedCommitted() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    AtomicInteger hooks = new AtomicInteger();
    cutting.cutReplyOfNextCommit("lost-reply");

    long id =
        cuttingDb.inTx(
            tx -> {
              runs.incrementAndGet();
              business(tx, "lost-reply");
              tx.afterCommit(hooks::incrementAndGet);
              return cuttingQueue.enqueue(tx, new Parcel("lost-reply")).id();
            });

    assertThat(cutting.cuts()).as("cuts made by the proxy").isPositive();
    assertThat(runs).as("runs of the unit").hasValue(1);
    assertThat(hooks).as("after-commit actions run").hasValue(1);
    assertThat(count("lost-reply")).as("business rows").isEqualTo(1);
    assertThat(jobs("lost-reply")).as("jobs enqueued").isEqualTo(1);
    assertThat(cuttingQueue.find(id)).as("job %d", id).isPresent();
  }

  @Test
  void aUnitWhoseEnqueueRolledBackInASavepointAndLostItsCommitReplyIsDecidedCommitted()
      throws Exception {
    AtomicInteger runs = new AtomicInteger();
    AtomicInteger hooks = new AtomicInteger();
    cutting.cutReplyOfNextCommit("savepoint-lost-reply");

    cuttingDb.useTx(
        tx -> {
          runs.incrementAndGet();
          // the enqueue is the unit's first write: the id it returns was assigned in the savepoint
          assertThatThrownBy(
                  () ->
                      tx.savepoint(
                          sp -> {
                            cuttingQueue.enqueue(sp, new Parcel("savepoint-lost-reply"));
                            throw new IllegalStateException("the savepoint's work failed");
                          }))
              .isInstanceOf(IllegalStateException.class);
          business(tx, "savepoint-lost-reply");
          tx.afterCommit(hooks::incrementAndGet);
        });

    assertThat(cutting.cuts()).as("cuts made by the proxy").isPositive();
    assertThat(runs).as("runs of the unit").hasValue(1);
    assertThat(hooks).as("after-commit actions run").hasValue(1);
    assertThat(count("savepoint-lost-reply")).as("business rows").isEqualTo(1);
    assertThat(jobs("savepoint-lost-reply")).as("jobs (the savepoint rolled back)").isZero();
  }

  private static long count(String tag) throws Exception {
    return pg.queryLong("select count(*) from " + BUSINESS + " where tag = '" + tag + "'");
  }

  private static long jobs(String tag) throws Exception {
    return pg.queryLong(
        "select count(*) from " + SCHEMA + ".job where args->>'tag' = '" + tag + "'");
  }
}
