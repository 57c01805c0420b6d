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
    AtomicReference<Object> outcome = new AtomicReference<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                db.useTx(
                    tx -> {
                      attempts.incrementAndGet();
                      tx.update("insert into interrupted_work values (1)");
                      Thread.currentThread().interrupt(); // as after catching InterruptedException
                    });
                outcome.set(
                    Thread.currentThread().isInterrupted()
                        ? "committed, still interrupted"
                        : "committed, status lost");
              } catch (Throwable t) {
                outcome.set(t);
              }
            })
        .join();
    assertThat(outcome.get()).isEqualTo("committed, still interrupted");
    assertThat(attempts.get()).isEqualTo(1);
    assertThat(testDb.queryLong("select count(*) from interrupted_work")).isEqualTo(1);
    // the pool's one connection is still usable
    assertThat(count()).contains(1L);
  }

  @Test
  void aUnitThatFailsWithTheInterruptStatusSetRollsBackAndKeepsTheStatus() throws Exception {
    testDb.execute("delete from interrupted_work");
    AtomicReference<Object> outcome = new AtomicReference<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                db.useTx(
                    tx -> {
                      tx.update("insert into interrupted_work values (2)");
                      Thread.currentThread().interrupt();
                      throw new IllegalStateException("the business rule said no");
                    });
                outcome.set("committed");
              } catch (IllegalStateException e) {
                outcome.set(
                    e.getMessage()
                        + (Thread.currentThread().isInterrupted()
                            ? ", still interrupted"
                            : ", status lost"));
              } catch (Throwable t) {
                outcome.set(t);
              }
            })
        .join();
    assertThat(outcome.get()).isEqualTo("the business rule said no, still interrupted");
    assertThat(testDb.queryLong("select count(*) from interrupted_work")).isZero();
    assertThat(count()).contains(0L);
  }

  /** The rows of interrupted_work, counted in a unit of the pool's one connection. */
  private static Optional<Long> count() {
    return db.inTx(tx -> tx.queryOne("select count(*) from interrupted_work", rs -> rs.getLong(1)));
  }
}
