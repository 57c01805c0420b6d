package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Break-it run on issue 13 (brk13): handlers and listeners that throw throwables which cannot be
 * described (their message throws), and handler failures whose causes loop or run 10,000 deep. The
 * lease is an hour, so a job only ends within the tests' bounds if its outcome is recorded at once.
 */
@TxguardTest(queue = false)
class QueueThrowableFaultsIT {
  @Injected static TestDatabase pg;

  /** A throwable whose message cannot be built: printing or describing it throws. */
  static final class Poisoned extends RuntimeException {
    Poisoned(String where) {
      super(where);
    }

    @Override
    public String getMessage() {
      throw new IllegalStateException("the message of a Poisoned cannot be built");
    }
  }

  record PoisonThrown(int n) {}

  record PoisonOnFetched(int n) {}

  record PoisonOnCompleted(int n) {}

  record LoopingNonRetryable(int n) {}

  record DeepChain(int n) {}

  record SuppressedLoop(int n) {}

  record Echo(int n) {}

  record CauseUnreadable(int n) {}

  /** A throwable whose cause cannot be read. */
  static final class CauseThrows extends RuntimeException {
    CauseThrows() {
      super("cause throws");
    }

    @Override
    public synchronized Throwable getCause() {
      throw new IllegalStateException("the cause of a CauseThrows cannot be read");
    }
  }

  /** Throws a Poisoned from onFetched / onCompleted for the kinds named so. */
  static final class PoisoningListener implements QueueListener {
    final List<String> seen = new CopyOnWriteArrayList<>();

    @Override
    public void onFetched(JobEvent job) {
      if (job.kind().equals("poison-on-fetched")) {
        throw new Poisoned("onFetched " + job.id());
      }
    }

    @Override
    public void onCompleted(JobEvent job, Duration elapsed) {
      seen.add("completed " + job.id());
      if (job.kind().equals("poison-on-completed")) {
        throw new Poisoned("onCompleted " + job.id());
      }
    }

    @Override
    public void onFailed(JobEvent job, Throwable error, JobState state) {
      seen.add("failed " + job.id() + " " + state);
    }

    @Override
    public void onLeaseLost(JobEvent job, LeaseLostException error) {
      seen.add("lease lost " + job.id());
    }
  }

  static final PoisoningListener listener = new PoisoningListener();
  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() {
    db = QueueFixture.db(pg, 8);
    queue =
        QueueFixture.builder(pg, db, "brk13")
            .leaseDuration(Duration.ofHours(1)) // no rescue within a test
            .listener(listener)
            .handle(
                "poison-thrown",
                PoisonThrown.class,
                job -> {
                  throw new Poisoned("handler");
                })
            .handle("poison-on-fetched", PoisonOnFetched.class, job -> job.args().n())
            .handle("poison-on-completed", PoisonOnCompleted.class, job -> job.args().n())
            .handle(
                "looping-non-retryable",
                LoopingNonRetryable.class,
                job -> {
                  RuntimeException a = new RuntimeException("a");
                  NonRetryableJobException b = new NonRetryableJobException("b", a);
                  a.initCause(b); // a -> b -> a
                  throw a;
                })
            .handle(
                "deep-chain",
                DeepChain.class,
                job -> {
                  Throwable chain = new RuntimeException("root");
                  for (int i = 0; i < 10_000; i++) {
                    chain = new RuntimeException("level " + i, chain);
                  }
                  throw (RuntimeException) chain;
                })
            .handle(
                "suppressed-loop",
                SuppressedLoop.class,
                job -> {
                  RuntimeException a = new RuntimeException("a");
                  RuntimeException b = new RuntimeException("b", a);
                  a.addSuppressed(b);
                  b.addSuppressed(a);
                  throw a;
                })
            .handle("echo", Echo.class, job -> job.args().n())
            .handle(
                "cause-unreadable",
                CauseUnreadable.class,
                job -> {
                  throw new CauseThrows();
                })
            .queue("default", 2)
            .build();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() {
    QueueFixture.stop(queue, db);
  }

  private static void assertWorkerLivesOn() {
    assertThat(queue.call(new Echo(42), Integer.class, Duration.ofSeconds(60))).isEqualTo(42);
  }

  @Test
  void aHandlersUndescribableThrowableIsRecordedAtOnce() throws Exception {
    long id = queue.enqueue(new PoisonThrown(1), EnqueueOptions.defaults().maxAttempts(1)).id();
    QueueFixture.await(
        "the job whose handler threw a Poisoned is recorded failed",
        () -> state(queue, id) == JobState.FAILED,
        () -> queue.find(id).orElseThrow());
    assertWorkerLivesOn();
  }

  @Test
  void aJobRunsAlthoughOnFetchedThrowsAnUnprintableThrowable() throws Exception {
    long id = queue.enqueue(new PoisonOnFetched(7)).id();
    QueueFixture.await(
        "the job whose onFetched threw a Poisoned completes",
        () -> state(queue, id) == JobState.COMPLETED,
        () -> queue.find(id).orElseThrow());
    assertWorkerLivesOn();
  }

  @Test
  void onCompletedThrowingAnUnprintableThrowableLeavesOneCompletionAndNoOtherEvent()
      throws Exception {
    long id = queue.enqueue(new PoisonOnCompleted(8)).id();
    QueueFixture.await(
        "the job completes", () -> state(queue, id) == JobState.COMPLETED, () -> listener.seen);
    assertWorkerLivesOn();
    assertThat(listener.seen.stream().filter(s -> s.matches("\\D+ " + id + "( .*)?")).toList())
        .containsExactly("completed " + id);
    assertThat(queue.find(id).orElseThrow().attempt()).isEqualTo(1);
  }

  @Test
  void aNonRetryableCauseInALoopDiscardsTheJobAtTheFirstAttempt() throws Exception {
    long id =
        queue.enqueue(new LoopingNonRetryable(1), EnqueueOptions.defaults().maxAttempts(5)).id();
    QueueFixture.await(
        "the looping job ends",
        () -> state(queue, id).isFinal(),
        () -> queue.find(id).orElseThrow());
    Job job = queue.find(id).orElseThrow();
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.state()).isEqualTo(JobState.DISCARDED);
    assertThat(job.errors()).singleElement().satisfies(e -> assertThat(e.error()).contains("a"));
    assertWorkerLivesOn();
  }

  @Test
  void aTenThousandDeepChainAndASuppressedLoopAreRecordedBounded() throws Exception {
    long deep = queue.enqueue(new DeepChain(1), EnqueueOptions.defaults().maxAttempts(1)).id();
    long loop = queue.enqueue(new SuppressedLoop(1), EnqueueOptions.defaults().maxAttempts(1)).id();
    for (long id : new long[] {deep, loop}) {
      QueueFixture.await(
          "job " + id + " fails",
          () -> state(queue, id) == JobState.FAILED,
          () -> queue.find(id).orElseThrow());
    }
    assertThat(queue.find(deep).orElseThrow().errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.error()).isEqualTo("java.lang.RuntimeException: level 9999");
              assertThat(e.trace()).hasSizeLessThan(20_000);
            });
    assertThat(queue.find(loop).orElseThrow().errors()).hasSize(1);
    assertWorkerLivesOn();
  }

  @Test
  void callOnAJobWhoseHandlerThrewAPoisonedFailsAtOnce() {
    assertThatThrownBy(
            () ->
                queue.call(
                    new PoisonThrown(2),
                    Integer.class,
                    EnqueueOptions.defaults().maxAttempts(1),
                    Duration.ofSeconds(20)))
        .isInstanceOf(JobFailedException.class);
  }

  @Test
  void aHandlersThrowableWithAnUnreadableCauseIsRecordedAtOnce() throws Exception {
    long id = queue.enqueue(new CauseUnreadable(1), EnqueueOptions.defaults().maxAttempts(1)).id();
    QueueFixture.await(
        "the job whose handler threw a CauseThrows is recorded failed",
        () -> state(queue, id) == JobState.FAILED,
        () -> queue.find(id).orElseThrow());
    assertWorkerLivesOn();
  }
}
