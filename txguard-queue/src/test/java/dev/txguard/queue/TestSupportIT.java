package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.txguard.Database;
import dev.txguard.test.JobAssertions;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The queue's side of txguard-test: an injected, migrated JobQueue, the job assertions, and the
 * leak check failing a test that leaves a job running (run through EngineTestKit, so the failure is
 * asserted here).
 */
class TestSupportIT {
  /**
   * The nested classes fail on purpose: they run only inside the EngineTestKit runs of this class.
   */
  static boolean runByTheOuterTest(ExtensionContext context) {
    return context.getConfigurationParameter("txguard.inner").isPresent();
  }

  record Block(int n) {}

  static final CountDownLatch release = new CountDownLatch(1);
  static JobQueue running;

  @AfterAll
  static void stop() {
    release.countDown();
    if (running != null) {
      running.stop(Duration.ofSeconds(30));
    }
  }

  @Test
  void aTestLeavingAJobRunningFailsNamingTheJob() {
    Events events =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter("txguard.inner", "true")
            .selectors(selectClass(LeavesAJobRunning.class))
            .execute()
            .testEvents();
    assertThat(events.failed().count()).isEqualTo(1);
    String message =
        events
            .failed()
            .list()
            .getFirst()
            .getPayload(TestExecutionResult.class)
            .orElseThrow()
            .getThrowable()
            .orElseThrow()
            .getMessage();
    assertThat(message)
        .contains(
            "a job is still running: job 1 (kind 'block', queue 'default', schema txguard_queue)")
        .contains("stop the queue (queue.stop(timeout))");
    assertThat(events.succeeded().count()).isEqualTo(1);
  }

  @EnabledIf("dev.txguard.queue.TestSupportIT#runByTheOuterTest")
  @TxguardTest(leakGraceMillis = 200)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class LeavesAJobRunning {
    @Test
    @Order(1)
    void injectsAMigratedQueueAndAssertsJobs(JobQueue injected, Database db, TestDatabase tdb)
        throws Exception {
      assertThat(injected.schema()).isEqualTo("txguard_queue");
      JobQueue queue = JobQueue.builder(db).declare("block", Block.class).build();
      db.useTx(tx -> queue.enqueue(tx, new Block(1), EnqueueOptions.defaults().queue("later")));
      JobAssertions.assertEnqueued(tdb, "block", new Block(1), "later");
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> JobAssertions.assertEnqueued(tdb, "block", new Block(2), "later"))
          .hasMessageContaining(
              "expected a job of kind 'block' with args Block[n=2] in queue 'later', but there is"
                  + " none; jobs of that kind: [job 1 in queue 'later' (available, schema txguard_queue) args {\"n\": 1}]");
      tdb.execute("truncate txguard_queue.job restart identity");
      queue.close();
    }

    @Test
    @Order(2)
    void leavesAJobRunning(Database db) throws Exception {
      CountDownLatch started = new CountDownLatch(1);
      running =
          JobQueue.builder(db)
              .handle(
                  "block",
                  Block.class,
                  job -> {
                    started.countDown();
                    release.await(60, TimeUnit.SECONDS);
                    return null;
                  })
              .queue("default", 1)
              .pollInterval(Duration.ofMillis(100))
              .build();
      running.start();
      running.enqueue(new Block(1));
      assertThat(started.await(60, TimeUnit.SECONDS)).as("the job started").isTrue();
    }
  }
}
