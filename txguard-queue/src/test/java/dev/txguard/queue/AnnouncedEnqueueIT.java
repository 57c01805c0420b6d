package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static dev.txguard.queue.QueueFixture.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Enqueue sends no NOTIFY in the enqueuing unit: after that unit commits, the jobs are announced
 * from outside it (Announcer), and a worker in another process is woken by that announcement, not
 * by its poll (an hour here). A unit that rolls back announces nothing.
 */
@TxguardTest(queue = false)
class AnnouncedEnqueueIT {
  @Injected static TestDatabase pg;

  record Greet(String name) {}

  static final String SCHEMA = "announce";
  static Database workerDb;
  static Database producerDb;
  static JobQueue worker;
  static JobQueue producer;

  @BeforeAll
  static void setUp() {
    workerDb = QueueFixture.db(pg, 4);
    producerDb = QueueFixture.db(pg, 4);
    worker =
        QueueFixture.builder(pg, workerDb, SCHEMA)
            .owner("worker")
            .pollInterval(Duration.ofHours(1))
            .handle("greet", Greet.class, job -> "hello " + job.args().name())
            .queue("default", 2)
            .build();
    QueueFixture.start(worker);
    // another process that only enqueues: never started, so it has no control connection
    producer =
        QueueFixture.builder(pg, producerDb, SCHEMA)
            .owner("producer")
            .declare("greet", Greet.class)
            .build();
  }

  @AfterAll
  static void tearDown() {
    QueueFixture.stop(worker, workerDb);
    producerDb.close();
  }

  @Test
  void aJobCommittedInAnotherProcessWakesTheWorkerWithoutItsPoll() throws Exception {
    long id = producerDb.inTx(tx -> producer.enqueue(tx, new Greet("elsewhere")).id());
    await(
        "the worker, polling once an hour, runs the job announced after the producer's commit",
        () -> state(worker, id) == JobState.COMPLETED);
    assertThat(worker.find(id).orElseThrow().leaseOwner()).isEmpty();
  }

  @Test
  void aUnitThatRollsBackAnnouncesNothingAndOneThatCommitsAnnouncesItsQueue() throws Exception {
    try (Connection listener = pg.connect()) {
      try (Statement st = listener.createStatement()) {
        st.execute("listen " + SCHEMA + "_jobs");
      }
      assertThatThrownBy(
              () ->
                  producerDb.useTx(
                      tx -> {
                        producer.enqueue(
                            tx, new Greet("never"), EnqueueOptions.defaults().queue("rolled-back"));
                        throw new IllegalStateException("business rule failed after the enqueue");
                      }))
          .isInstanceOf(IllegalStateException.class);
      producerDb.useTx(
          tx ->
              producer.enqueue(
                  tx, new Greet("kept"), EnqueueOptions.defaults().queue("committed")));

      // the rolled-back unit's announcement, had there been one, was handed over before the
      // committed one's, so it could not arrive after it
      List<String> heard = new ArrayList<>();
      long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!heard.contains("committed")) {
        assertThat(System.nanoTime()).as("announcements heard so far: " + heard).isLessThan(end);
        PGNotification[] ns = listener.unwrap(PGConnection.class).getNotifications(100);
        for (PGNotification n : ns == null ? new PGNotification[0] : ns) {
          // the payload is <queue>@<level>#<sender>
          String p = n.getParameter();
          assertThat(p).as("payload").matches("[A-Za-z0-9_.:-]+@0#[0-9a-f]+");
          heard.add(p.substring(0, p.indexOf('@')));
        }
      }
      assertThat(heard).doesNotContain("rolled-back");
    }
    assertThat(pg.queryLong("select count(*) from " + SCHEMA + ".job where queue = 'rolled-back'"))
        .isZero();
    pg.execute("delete from " + SCHEMA + ".job where queue = 'committed'");
  }
}
