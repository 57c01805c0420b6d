package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.test.ClassDatabase;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A callback that returns with its thread's interrupt status set (it restored the status after
 * catching InterruptedException) on a virtual thread: the unit commits once, the caller still sees
 * the status, and the pool's connection still works (break-it review, session 16: the JDK closed
 * the socket under the COMMIT, "Closed by interrupt", and the unit failed as a lost connection).
 */
class InterruptStatusIT {
  @RegisterExtension static final ClassDatabase testDb = Fixture.classDatabase();
  static Database db;

  @BeforeAll
  static void setUp() throws Exception {
    testDb.execute("create table interrupted_work (n int)");
    db = Fixture.builder(testDb).poolSize(1).build();
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void aUnitWhoseCallbackRestoredTheInterruptStatusCommitsAndKeepsTheStatus() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    String outcome =
        unitOnVirtualThread(
            tx -> {
              attempts.incrementAndGet();
              tx.update("insert into interrupted_work values (1)");
              Thread.currentThread().interrupt(); // as after catching InterruptedException
            });
    assertThat(outcome).isEqualTo("committed, still interrupted");
    assertThat(attempts.get()).isEqualTo(1);
    assertThat(testDb.queryLong("select count(*) from interrupted_work")).isEqualTo(1);
    assertThat(count()).contains(1L);
  }

  @Test
  void aUnitThatFailsWithTheInterruptStatusSetRollsBackAndKeepsTheStatus() throws Exception {
    testDb.execute("delete from interrupted_work");
    String outcome =
        unitOnVirtualThread(
            tx -> {
              tx.update("insert into interrupted_work values (2)");
              Thread.currentThread().interrupt();
              throw new IllegalStateException("the business rule said no");
            });
    assertThat(outcome)
        .isEqualTo("IllegalStateException: the business rule said no, still interrupted");
    assertThat(testDb.queryLong("select count(*) from interrupted_work")).isZero();
    assertThat(count()).contains(0L);
  }

  /**
   * Runs a unit of {@code work} on a virtual thread and says how it ended ("committed", or the
   * exception) and whether the thread's interrupt status survived it.
   */
  private static String unitOnVirtualThread(TxConsumer<Exception> work)
      throws InterruptedException {
    AtomicReference<String> outcome = new AtomicReference<>();
    Thread.ofVirtual()
        .start(
            () -> {
              String ended;
              try {
                db.useTx(work);
                ended = "committed";
              } catch (Throwable t) {
                ended = t.getClass().getSimpleName() + ": " + t.getMessage();
              }
              outcome.set(
                  ended
                      + (Thread.currentThread().isInterrupted()
                          ? ", still interrupted"
                          : ", status lost"));
            })
        .join();
    return outcome.get();
  }

  /** The rows of interrupted_work, counted in a unit of the pool's one connection. */
  private static Optional<Long> count() {
    return db.inTx(tx -> tx.queryOne("select count(*) from interrupted_work", rs -> rs.getLong(1)));
  }
}
