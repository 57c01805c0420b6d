package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.Tx;
import dev.txguard.TxListener;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The announcer sends no NOTIFY while no other process's control connection listens (a session
 * named {@code txguard <schema> <owner>}): jobs enqueued then are left to the polls, and their
 * announcement costs no unit. Once such a session listens, the jobs enqueued after the announcer
 * renewed its answer are announced again.
 */
@TxguardTest(queue = false)
class AnnouncedToListenersIT {
  @Injected static TestDatabase pg;

  record Greet(String name) {}

  static final String SCHEMA = "announce_listeners";
  static Database producerDb;
  static JobQueue producer;

  /** The producer's units that committed, by name ("find listening processes", "announce jobs"). */
  static final Map<String, AtomicLong> committed = new ConcurrentHashMap<>();

  @BeforeAll
  static void setUp() {
    producerDb =
        Database.builder()
            .url(pg.url())
            .user(pg.user())
            .password(pg.password())
            .poolSize(4)
            .listener(
                new TxListener() {
                  @Override
                  public void onCommit(Tx tx, Duration elapsed) {
                    committed.computeIfAbsent(tx.name(), n -> new AtomicLong()).incrementAndGet();
                  }
                })
            .build();
    // a process that only enqueues: never started, so it has no control connection of its own
    producer =
        QueueFixture.builder(pg, producerDb, SCHEMA)
            .owner("producer")
            .declare("greet", Greet.class)
            .build();
    producer.migrate();
  }

  @AfterAll
  static void tearDown() {
    producerDb.close();
  }

  @Test
  void nothingIsAnnouncedUntilAnotherProcessListensThenNewJobsAre() throws Exception {
    try (Connection eavesdropper = pg.connect();
        Connection otherProcess = pg.connect()) {
      // a session that listens without being a queue's control connection is not counted
      try (Statement st = eavesdropper.createStatement()) {
        st.execute("listen " + SCHEMA + "_jobs");
      }
      enqueue("unheard");
      await(
          "the announcer asks the server who listens",
          () -> commits("find listening processes") > 0,
          () -> "units committed: " + committed);
      assertThat(commits("announce jobs")).as("NOTIFY units while nobody listens").isZero();

      // another process's control connection: named first, then listening (as ControlConnection)
      try (Statement st = otherProcess.createStatement()) {
        st.execute("select set_config('application_name', 'txguard " + SCHEMA + " other', false)");
        st.execute("listen " + SCHEMA + "_jobs");
      }
      // the announcer may still use its answer of "nobody listens" for up to a second: enqueue
      // until the other process hears one (each enqueue's announcement follows the earlier ones)
      List<String> heard = new ArrayList<>();
      await(
          "the other process hears a job enqueued after it started listening",
          () -> {
            enqueue("heard");
            heard.addAll(queues(otherProcess, 200));
            return heard.contains("heard");
          },
          () -> "heard so far: " + heard);
      assertThat(heard).doesNotContain("unheard");
      assertThat(queues(eavesdropper, 0)).doesNotContain("unheard").contains("heard");
    }
    assertThat(commits("announce jobs")).isPositive();
    assertThat(pg.queryLong("select count(*) from " + SCHEMA + ".job where queue = 'unheard'"))
        .as("the unannounced job was committed: the polls find it")
        .isEqualTo(1);
  }

  private static long commits(String unit) {
    AtomicLong n = committed.get(unit);
    return n == null ? 0 : n.get();
  }

  private static void enqueue(String queue) {
    producerDb.useTx(
        tx -> producer.enqueue(tx, new Greet(queue), EnqueueOptions.defaults().queue(queue)));
  }

  /** The queues named by the notifications {@code listener} received so far. */
  private static List<String> queues(Connection listener, int waitMillis) throws Exception {
    List<String> queues = new ArrayList<>();
    PGNotification[] ns = listener.unwrap(PGConnection.class).getNotifications(waitMillis);
    for (PGNotification n : ns == null ? new PGNotification[0] : ns) {
      String p = n.getParameter();
      queues.add(p.substring(0, p.indexOf('@')));
    }
    return queues;
  }
}
