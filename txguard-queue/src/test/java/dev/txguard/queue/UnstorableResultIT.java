package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static dev.txguard.queue.QueueFixture.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A handler that ran to its end but returned a result that cannot be stored (Jackson cannot write
 * it, or jsonb refuses it) ends its job discarded with the reason, after one run: retrying would
 * repeat a plain handler's side effects for a result that still could not be stored.
 */
@TxguardTest(queue = false)
class UnstorableResultIT {
  @Injected static TestDatabase pg;

  /** Which unstorable result to return: "bean", "nul", "surrogate" or "huge". */
  record Send(String result) {}

  record SendInTx(String result) {}

  /** A class Jackson cannot serialise: no properties. */
  static final class Opaque {}

  static final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  static Database db;
  static JobQueue queue;

  static Object result(String which) {
    runs.computeIfAbsent(which, k -> new AtomicInteger()).incrementAndGet();
    return switch (which) {
      case "bean", "tx-bean" -> new Opaque();
      case "nul", "tx-nul" -> Map.of("receipt", "abc\0def");
      case "surrogate", "tx-surrogate" -> "\uDC00res";
      default -> new BigDecimal("1E+200000"); // beyond jsonb's numeric range
    };
  }

  @BeforeAll
  static void setUp() {
    db = QueueFixture.db(pg, 8);
    queue =
        QueueFixture.builder(pg, db, "results")
            .handle("send", Send.class, job -> result(job.args().result()))
            .handleInTx("send-tx", SendInTx.class, (tx, job) -> result(job.args().result()))
            .queue("default", 4)
            .build();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() {
    QueueFixture.stop(queue, db);
  }

  static Job discardedAfterOneRun(Object args, String which) throws Exception {
    long id = queue.enqueue(args, EnqueueOptions.defaults().maxAttempts(3)).id();
    await("job " + id + " ends", () -> state(queue, id).isFinal());
    Job job = queue.find(id).orElseThrow();
    assertThat(job.state()).isEqualTo(JobState.DISCARDED);
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(runs.get(which)).hasValue(1);
    assertThat(job.errors())
        .singleElement()
        .extracting(JobError::error)
        .asString()
        .contains("NonRetryableJobException: the result of job " + id)
        .contains("cannot be stored")
        .contains("The job is discarded, not retried");
    return job;
  }

  @Test
  void aResultJacksonCannotWriteDiscardsThePlainJob() throws Exception {
    assertThat(discardedAfterOneRun(new Send("bean"), "bean").errors().getFirst().error())
        .contains(
            "of type "
                + Opaque.class.getName()
                + ", cannot be stored: it cannot be serialised to JSON");
  }

  @Test
  void aResultHoldingNulDiscardsThePlainJob() throws Exception {
    assertThat(discardedAfterOneRun(new Send("nul"), "nul").errors().getFirst().error())
        .contains(
            "it contains the character U+0000 (NUL), which PostgreSQL cannot store in text or jsonb"
                + " (at $.receipt)");
  }

  /** Break-it review, session 16: a result "\uDC00res" was stored as "?res", the job completed. */
  @Test
  void aResultHoldingAnUnpairedSurrogateDiscardsThePlainJob() throws Exception {
    assertThat(discardedAfterOneRun(new Send("surrogate"), "surrogate").errors().getFirst().error())
        .contains(
            "cannot be stored: it contains an unpaired UTF-16 surrogate (half of a character, as"
                + " substring() leaves when it cuts through an emoji), which PostgreSQL cannot"
                + " store: the driver would send '?' in its place (U+DC00 at index 0 of the string"
                + " at $)");
  }

  @Test
  void aResultJsonbRefusesDiscardsThePlainJob() throws Exception {
    assertThat(discardedAfterOneRun(new Send("huge"), "huge").errors().getFirst().error())
        .contains("cannot be stored: PostgreSQL refused it (SQLSTATE 22");
  }

  @Test
  void theSameHoldsForTransactionalHandlers() throws Exception {
    discardedAfterOneRun(new SendInTx("tx-bean"), "tx-bean");
    discardedAfterOneRun(new SendInTx("tx-nul"), "tx-nul");
    discardedAfterOneRun(new SendInTx("tx-surrogate"), "tx-surrogate");
  }
}
