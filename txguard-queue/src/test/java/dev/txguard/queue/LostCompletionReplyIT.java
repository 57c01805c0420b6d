package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.FaultProxy;
import dev.txguard.test.Injected;
import dev.txguard.test.PostgresServer;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A completion unit (a transactional job's unit: the handler's writes and the completion; a batch
 * of plain jobs' completions) hands core's commit-outcome resolution the transaction id its
 * completion statement returned, instead of a round trip to ask for it; when its COMMIT loses its
 * connection the core still decides it on another connection. A job whose unit committed is
 * reported completed once; one whose unit did not commit runs its unit again in the same attempt
 * (the core's retry of a failure before COMMIT); either way its row ends completed as attempt 1
 * with the handler's write present once, never waiting for the lease (ten minutes here) to expire.
 * A real TCP proxy cuts the COMMIT of the unit that sent the job's tag. The worker's pool goes
 * through the proxy; the test enqueues and reads through a direct connection, so that only the
 * worker's units send or read the tags.
 */
@TxguardTest(queue = false)
class LostCompletionReplyIT {
  @Injected static TestDatabase pg;

  record Pack(String tag) {}

  record Note(String tag) {}

  static FaultProxy proxy;
  static Database workerDb;
  static Database directDb;
  static JobQueue worker;
  static JobQueue producer;
  static final RecordingListener listener = new RecordingListener();
  static final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute("create table lost_reply_parcel (tag text not null)");
    proxy = new FaultProxy(PostgresServer.get());
    workerDb = QueueFixture.db(pg, proxy, Duration.ofSeconds(10));
    worker =
        QueueFixture.builder(pg, workerDb, "lostreply")
            .listener(listener)
            .leaseDuration(Duration.ofMinutes(10))
            .handleInTx(
                "pack",
                Pack.class,
                (tx, job) -> {
                  String tag = job.args().tag();
                  ran(tag);
                  // the server sends "reply-<tag>" back: the marker of the stalling cut
                  tx.queryOne("select 'reply-' || ?::text", rs -> rs.getString(1), tag);
                  tx.update("insert into lost_reply_parcel values (?)", tag);
                  return "packed";
                })
            .handle(
                "note",
                Note.class,
                job -> {
                  ran(job.args().tag());
                  return job.args().tag(); // sent in the batch's completion: the cut's marker
                })
            .queue("default", 1)
            .build();
    directDb = QueueFixture.db(pg, 2);
    producer =
        QueueFixture.builder(pg, directDb, "lostreply")
            .handleInTx("pack", Pack.class, (tx, job) -> null)
            .handle("note", Note.class, job -> null)
            .build();
    QueueFixture.start(worker);
  }

  @AfterAll
  static void tearDown() throws Exception {
    QueueFixture.stop(worker, workerDb);
    directDb.close();
    proxy.close();
  }

  private static void ran(String tag) {
    runs.computeIfAbsent(tag, t -> new AtomicInteger()).incrementAndGet();
  }

  /**
   * The fault: about 25 completions per 20,000-job run were reported as lost leases (WARN,
   * onLeaseLost). The unit committed; only its reply is lost.
   */
  @Test
  void aCompletionWhoseCommitReplyWasLostWasReportedAsALostLease() throws Exception {
    long id = runAfter("pack-reply-lost", proxy::cutReplyOfNextCommit, true);
    assertThat(runs.get("pack-reply-lost").get()).as("runs of job %d's handler", id).isEqualTo(1);
  }

  /**
   * The COMMIT never reaches the server (the proxy closes both sides, the server rolls back): the
   * row is still running under the attempt's token, so the unit runs again and completes.
   */
  @Test
  void aTransactionalUnitWhoseCommitNeverArrivedRunsAgainInTheSameAttempt() throws Exception {
    long id = runAfter("pack-commit-lost", proxy::cutBeforeNextCommit, true);
    assertThat(runs.get("pack-commit-lost").get())
        .as("runs of job %d's handler: the unit that did not commit, and the one that did", id)
        .isEqualTo(2);
  }

  /**
   * The server never learns the client is gone: the unit's backend stays idle in its transaction,
   * holding the job's row lock, until core's resolution ends it (its transaction is "in progress";
   * else the job would wait for its ten-minute lease).
   */
  @Test
  void aTransactionalUnitWhoseCommitNeverArrivedAndWhoseBackendLingersIsEnded() throws Exception {
    long id =
        runAfter(
            "pack-backend-lingers",
            tag -> proxy.stallBeforeNextCommitAfterReply("reply-" + tag),
            true);
    assertThat(runs.get("pack-backend-lingers").get())
        .as("runs of job %d's handler", id)
        .isEqualTo(2);
  }

  /** A batch of plain completions that committed but lost its reply: completed, not lost. */
  @Test
  void aBatchWhoseCommitReplyWasLostReportsItsJobCompleted() throws Exception {
    long id = runAfter("note-reply-lost", proxy::cutReplyOfNextCommit, false);
    assertThat(runs.get("note-reply-lost").get()).as("runs of job %d's handler", id).isEqualTo(1);
  }

  /**
   * A batch whose COMMIT never arrived: its job completes alone, and the plain handler (whose side
   * effects are outside the unit) does not run again.
   */
  @Test
  void aBatchWhoseCommitNeverArrivedCompletesItsJobAlone() throws Exception {
    long id = runAfter("note-commit-lost", proxy::cutBeforeNextCommit, false);
    assertThat(runs.get("note-commit-lost").get()).as("runs of job %d's handler", id).isEqualTo(1);
  }

  /**
   * Plans the cut at the COMMIT of the unit that sends (or, for a stalling cut, reads) {@code tag},
   * enqueues the job and checks it completed once, as attempt 1, without a retry, a rescue or a
   * lost lease, and (for a transactional job) with its handler's row present once.
   */
  private static long runAfter(String tag, Consumer<String> cut, boolean transactional)
      throws Exception {
    int cutsBefore = proxy.cuts();
    cut.accept(tag);
    long id =
        transactional ? producer.enqueue(new Pack(tag)).id() : producer.enqueue(new Note(tag)).id();
    await(
        "job " + id + " (" + tag + ") completes",
        () -> producer.find(id).orElseThrow().state() == JobState.COMPLETED,
        () -> describe(id, tag, cutsBefore));
    await(
        "the completion event of job " + id,
        () -> listener.events.contains("completed " + id + "#1"),
        () -> describe(id, tag, cutsBefore));

    assertThat(proxy.cuts() - cutsBefore).as("COMMITs the proxy cut").isEqualTo(1);
    assertThat(producer.find(id).orElseThrow().attempt())
        .as("attempts counted for job %d: %s", id, describe(id, tag, cutsBefore))
        .isEqualTo(1);
    assertThat(listener.events)
        .as("events of job %d", id)
        .doesNotContain("lease lost " + id + "#1", "retried " + id + "#1", "rescued " + id + "#1")
        .containsOnlyOnce("completed " + id + "#1");
    if (transactional) {
      assertThat(pg.queryLong("select count(*) from lost_reply_parcel where tag = '" + tag + "'"))
          .as("rows job %d's handler wrote", id)
          .isEqualTo(1);
    }
    return id;
  }

  private static String describe(long id, String tag, int cutsBefore) {
    Job job = producer.find(id).orElseThrow();
    AtomicInteger ran = runs.get(tag);
    return job.state()
        + ", attempt "
        + job.attempt()
        + ", lease owner "
        + job.leaseOwner().orElse("none")
        + ", errors "
        + job.errors()
        + ", handler runs "
        + (ran == null ? 0 : ran.get())
        + ", cuts "
        + (proxy.cuts() - cutsBefore)
        + ", events "
        + listener.events.stream().filter(e -> e.contains(" " + id + "#")).toList();
  }
}
