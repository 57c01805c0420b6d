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
 * A claim commits without core's commit-outcome resolution; when its COMMIT loses its connection
 * the fetcher decides it by attempt token: a job whose claim committed is handed back available and
 * uncounted, one whose claim did not commit is left as it was, and both then run once as attempt 1,
 * never waiting for the lease (ten minutes here, far beyond the waits' bound) to expire. A real TCP
 * proxy cuts the COMMIT of the claim that read the job's arguments. The worker's pool goes through
 * the proxy; the test enqueues and reads through a direct connection, so that only the worker's
 * claim sees the arguments.
 */
@TxguardTest(queue = false)
class LostClaimCommitIT {
  @Injected static TestDatabase pg;

  record Work(String tag) {}

  static FaultProxy proxy;
  static Database workerDb;
  static Database directDb;
  static JobQueue worker;
  static JobQueue producer;
  static final RecordingListener listener = new RecordingListener();
  static final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

  @BeforeAll
  static void setUp() throws Exception {
    proxy = new FaultProxy(PostgresServer.get());
    workerDb = QueueFixture.db(pg, proxy, Duration.ofSeconds(10));
    worker =
        QueueFixture.builder(pg, workerDb, "lost_claim")
            .listener(listener)
            .leaseDuration(Duration.ofMinutes(10))
            .handle(
                "work",
                Work.class,
                job -> {
                  runs.computeIfAbsent(job.args().tag(), t -> new AtomicInteger())
                      .incrementAndGet();
                  return null;
                })
            .queue("default", 2)
            .build();
    directDb = QueueFixture.db(pg, 2);
    producer =
        QueueFixture.builder(pg, directDb, "lost_claim")
            .handle("work", Work.class, job -> null)
            .build();
    QueueFixture.start(worker);
  }

  @AfterAll
  static void tearDown() throws Exception {
    QueueFixture.stop(worker, workerDb);
    directDb.close();
    proxy.close();
  }

  @Test
  void aClaimThatCommittedButLostItsReplyIsHandedBackUncounted() throws Exception {
    runOnceAfter("claim-reply-lost", proxy::cutReplyOfNextCommitAfterReply);
  }

  @Test
  void aClaimWhoseCommitNeverArrivedLeavesItsJobAvailable() throws Exception {
    runOnceAfter("claim-commit-lost", proxy::cutBeforeNextCommitAfterReply);
  }

  /**
   * The server never learns the client is gone: the claim's backend stays idle in its transaction,
   * holding the job's row lock, until the fetcher ends it.
   */
  @Test
  void aClaimWhoseCommitNeverArrivedAndWhoseBackendLingersIsEnded() throws Exception {
    runOnceAfter("claim-backend-lingers", proxy::stallBeforeNextCommitAfterReply);
  }

  /**
   * Plans the cut at the COMMIT of the claim that reads a job tagged {@code tag}, enqueues that job
   * and checks it ran once, as attempt 1, without a rescue or a lost lease.
   */
  private static void runOnceAfter(String tag, Consumer<String> cut) throws Exception {
    int cutsBefore = proxy.cuts();
    cut.accept(tag);
    long id = producer.enqueue(new Work(tag)).id();
    await(
        "job " + id + " (" + tag + ") completes",
        () -> producer.find(id).orElseThrow().state() == JobState.COMPLETED,
        () -> describe(id, tag, cutsBefore));

    assertThat(proxy.cuts() - cutsBefore).as("claim COMMITs the proxy cut").isEqualTo(1);
    assertThat(producer.find(id).orElseThrow().attempt())
        .as("attempts counted for job %d: %s", id, describe(id, tag, cutsBefore))
        .isEqualTo(1);
    assertThat(runs.get(tag).get()).as("runs of the handler for job %d", id).isEqualTo(1);
    assertThat(listener.events)
        .as("events of job %d", id)
        .doesNotContain("lease lost " + id + "#1", "rescued " + id + "#1")
        .contains("completed " + id + "#1");
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
        + (proxy.cuts() - cutsBefore);
  }
}
