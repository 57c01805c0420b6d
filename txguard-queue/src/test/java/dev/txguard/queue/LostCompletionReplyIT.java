package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static dev.txguard.queue.QueueFixture.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.FaultProxy;
import dev.txguard.test.Injected;
import dev.txguard.test.PostgresServer;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A transactional job's completion commits in the handler's unit; when the connection dies after
 * the server committed it but before the reply arrives, the core resolves the COMMIT and the job is
 * reported completed. A real TCP proxy between the driver and the server loses the reply.
 */
@TxguardTest(queue = false)
class LostCompletionReplyIT {
  @Injected static TestDatabase pg;

  record Pack(int order) {}

  static FaultProxy proxy;
  static Database db;
  static JobQueue queue;
  static final RecordingListener listener = new RecordingListener();

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute("create table lost_reply_parcel (order_id int primary key)");
    proxy = new FaultProxy(PostgresServer.get());
    db =
        Database.builder()
            .url(proxy.jdbcUrl(pg.name()))
            .user(pg.user())
            .password(pg.password())
            .connectionTimeout(Duration.ofSeconds(10))
            .poolSize(4)
            .build();
    queue =
        QueueFixture.builder(pg, db, "lostreply")
            .listener(listener)
            .handleInTx(
                "pack",
                Pack.class,
                (tx, job) -> {
                  tx.update("insert into lost_reply_parcel values (?)", job.args().order());
                  return "packed";
                })
            .queue("default", 1)
            .build();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() throws Exception {
    queue.stop(Duration.ofSeconds(5));
    db.close();
    proxy.close();
  }

  /**
   * The fault: about 25 completions per 20,000-job run were reported as lost leases (WARN,
   * onLeaseLost).
   */
  @Test
  void aCompletionWhoseCommitReplyWasLostWasReportedAsALostLease() throws Exception {
    proxy.cutReplyOfNextCommit("lost_reply_parcel");
    long id = queue.enqueue(new Pack(7)).id();

    await(
        "job " + id + " completes (state now " + state(queue, id) + ")",
        () -> state(queue, id) == JobState.COMPLETED);
    await(
        "the completion event of job " + id,
        () -> listener.events.contains("completed " + id + "#1"));

    assertThat(proxy.cuts()).as("COMMIT replies the proxy cut").isEqualTo(1);
    assertThat(pg.queryLong("select count(*) from lost_reply_parcel where order_id = 7"))
        .isEqualTo(1);
    assertThat(queue.find(id).orElseThrow().attempt()).as("attempts").isEqualTo(1);
    assertThat(listener.events).doesNotContain("lease lost " + id + "#1", "retried " + id + "#1");
  }
}
