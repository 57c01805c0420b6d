package dev.txguard.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.Transactions;
import dev.txguard.TxOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each kind of unit that is unsafe to retry is caught, with a report naming the first statement at
 * which a retryable failure changes the outcome; a safe unit passes with every point tried.
 */
@TxguardTest
class RetrySafetyIT {
  @Injected static TestDatabase tdb;
  @Injected Database db;

  static final TxOptions PAY =
      TxOptions.defaults().name("pay").backoff(Duration.ZERO, Duration.ZERO);
  static final String DEBIT = "update account set balance = balance - ? where id = 1";
  static final String CREDIT = "update account set balance = balance + ? where id = 2";
  static final String RECEIPT = "insert into receipt(amount) values (?) returning id";

  /** The outside world: mails "sent". */
  final List<String> mailbox = new ArrayList<>();

  @BeforeAll
  static void schema() throws Exception {
    tdb.execute(
        "create table account (id int primary key, balance int not null)",
        "create table receipt (id bigserial primary key, amount int not null)");
  }

  @BeforeEach
  void clear() {
    mailbox.clear();
  }

  private RetrySafety check() {
    return RetrySafety.of(tdb)
        .setup(
            () -> {
              tdb.execute(
                  "truncate account, receipt restart identity",
                  "insert into account values (1, 100), (2, 0)");
              mailbox.clear();
            })
        .tables("account", "receipt")
        .probe("mailbox", () -> List.copyOf(mailbox));
  }

  private void send(String mail) {
    mailbox.add(mail);
  }

  @Test
  void aSafeUnitPassesWithEveryStatementAndTheCommitTried() throws Exception {
    RetrySafetyReport report =
        check()
            .verify(
                () ->
                    db.inTx(
                        PAY,
                        tx -> {
                          tx.update(DEBIT, 10);
                          tx.update(CREDIT, 10);
                          long id = tx.queryOne(RECEIPT, rs -> rs.getLong(1), 10).orElseThrow();
                          tx.afterCommit(() -> send("receipt " + id));
                          return id;
                        }));
    assertThat(report.safe()).isTrue();
    assertThat(report.pointsTried()).isEqualTo(4); // three statements and the COMMIT
    assertThat(report.describe()).startsWith("retry-safe: 4 failure point(s) in 1 unit(s)");
  }

  @Test
  void anExternalCallInsideTheCallbackIsCaughtAtTheStatementAfterIt() throws Exception {
    RetrySafetyReport report =
        check()
            .run(
                () ->
                    db.inTx(
                        PAY,
                        tx -> {
                          tx.update(DEBIT, 10);
                          send("paid 10"); // runs again on every retry
                          tx.update(CREDIT, 10);
                          return null;
                        }));
    assertThat(report.safe()).isFalse();
    RetrySafetyReport.Finding first = report.findings().getFirst();
    assertThat(first.position()).isEqualTo(2);
    assertThat(first.sql()).isEqualTo(CREDIT);
    assertThat(first.differences())
        .anySatisfy(d -> assertThat(d).contains("probe 'mailbox'").contains("[paid 10, paid 10]"));
    assertThat(first.differences())
        .anySatisfy(d -> assertThat(d).contains("changed during attempt 1 of unit 'pay'"));
    assertThat(report.findings())
        .extracting(RetrySafetyReport.Finding::position)
        .containsExactly(2, 0);
    assertThatThrownBy(report::assertSafe)
        .hasMessageContaining("statement 2 (" + CREDIT + ") of unit 'pay'");
  }

  @Test
  void aGuardedSideEffectInsideTheUnitIsReportedWithTheStatementBeforeIt() throws Exception {
    RetrySafetyReport report =
        check()
            .run(
                () ->
                    db.inTx(
                        PAY,
                        tx -> {
                          tx.update(DEBIT, 10);
                          Transactions.assertNoTransaction("sending a mail");
                          send("paid 10");
                          return null;
                        }));
    RetrySafetyReport.Finding first = report.findings().getFirst();
    assertThat(first.position()).isEqualTo(1);
    assertThat(first.sql()).isEqualTo(DEBIT);
    assertThat(first.differences().getFirst())
        .contains("guarded side effect ran inside the unit, after statement 1")
        .contains("sending a mail must not run inside a transaction");
  }

  @Test
  void anInMemoryCounterMutatedInsideTheCallbackIsCaught() throws Exception {
    AtomicInteger payments = new AtomicInteger();
    RetrySafetyReport report =
        check()
            .setup(
                () -> {
                  tdb.execute(
                      "truncate account, receipt restart identity",
                      "insert into account values (1, 100), (2, 0)");
                  payments.set(0);
                })
            .probe("payments", payments::get)
            .run(
                () ->
                    db.inTx(
                        PAY,
                        tx -> {
                          int n = payments.incrementAndGet(); // counts attempts, not payments
                          tx.update(DEBIT, 10);
                          tx.update(CREDIT, 10);
                          return n;
                        }));
    RetrySafetyReport.Finding first = report.findings().getFirst();
    assertThat(first.position()).isEqualTo(1);
    assertThat(first.differences())
        .anySatisfy(
            d ->
                assertThat(d)
                    .isEqualTo("result: clean run returned 1, with the failure returned 2"));
    assertThat(report.findings())
        .extracting(RetrySafetyReport.Finding::position)
        .containsExactly(1, 2, 0);
  }

  @Test
  void aValueReadBeforeTheUnitAndReusedInsideItIsCaughtAtTheStatementUsingIt() throws Exception {
    RetrySafetyReport report =
        check()
            .concurrentWrite("update account set balance = balance + 50 where id = 1")
            .run(
                () -> {
                  int balance =
                      db.inTx(
                          PAY.name("read"),
                          tx ->
                              tx.queryOne(
                                      "select balance from account where id = 1",
                                      rs -> rs.getInt(1))
                                  .orElseThrow());
                  return db.inTx(
                      PAY,
                      tx -> tx.update("update account set balance = ? where id = 1", balance - 10));
                });
    assertThat(report.findings())
        .extracting(RetrySafetyReport.Finding::position)
        .containsExactly(1, 0);
    assertThat(report.findings().getFirst())
        .satisfies(
            f -> {
              assertThat(f.unit()).isEqualTo("pay");
              assertThat(f.unitIndex()).isEqualTo(2);
              assertThat(f.position()).isEqualTo(1);
              assertThat(f.sql()).isEqualTo("update account set balance = ? where id = 1");
              assertThat(f.differences())
                  .anySatisfy(d -> assertThat(d).contains("database 'table account'"));
            });
  }

  @Test
  void theSameReadInsideTheUnitPassesWithTheConcurrentWrite() throws Exception {
    check()
        .concurrentWrite("update account set balance = balance + 50 where id = 1")
        .verify(
            () ->
                db.inTx(
                    PAY,
                    tx -> {
                      int balance =
                          tx.queryOne(
                                  "select balance from account where id = 1", rs -> rs.getInt(1))
                              .orElseThrow();
                      return tx.update("update account set balance = ? where id = 1", balance - 10);
                    }));
  }

  @Test
  void anAfterCommitActionKeptOutsideTheUnitRunsOncePerAttemptAndIsCaught() throws Exception {
    RetrySafetyReport report =
        check()
            .run(
                () -> {
                  List<Runnable> afterCommit =
                      new ArrayList<>(); // hand-kept, outside the unit: survives attempts
                  db.useTx(
                      PAY,
                      tx -> {
                        tx.update(DEBIT, 10);
                        afterCommit.add(() -> send("paid 10"));
                        tx.update(CREDIT, 10);
                      });
                  afterCommit.forEach(Runnable::run);
                  return null;
                });
    RetrySafetyReport.Finding first = report.findings().getFirst();
    assertThat(first.position()).isEqualTo(2);
    assertThat(first.sql()).isEqualTo(CREDIT);
    assertThat(first.differences()).anySatisfy(d -> assertThat(d).contains("[paid 10, paid 10]"));
  }

  @Test
  void unitsOfOtherThreadsAreNeitherCountedNorFailed() throws Exception {
    // a background thread (like a queue's announcer or maintenance) runs units all through the
    // check; each run of the action waits for one more of them, so they interleave with its own
    TxOptions background = TxOptions.defaults().name("background").readOnly(true);
    Semaphore ran = new Semaphore(0);
    AtomicInteger retried = new AtomicInteger();
    AtomicReference<Throwable> failed = new AtomicReference<>();
    AtomicBoolean stop = new AtomicBoolean();
    Thread other =
        Thread.ofPlatform()
            .name("retry-safety-background")
            .start(
                () -> {
                  while (!stop.get()) {
                    try {
                      db.inTx(
                          background,
                          tx -> {
                            if (tx.attempt() > 1) {
                              retried.incrementAndGet();
                            }
                            return tx.queryOne("select 1", rs -> rs.getInt(1));
                          });
                    } catch (RuntimeException e) {
                      failed.compareAndSet(null, e);
                    }
                    ran.release();
                  }
                });
    RetrySafetyReport report;
    try {
      report =
          check()
              .verify(
                  () -> {
                    ran.drainPermits();
                    if (!ran.tryAcquire(30, TimeUnit.SECONDS)) {
                      throw new AssertionError("the background thread ran no unit in 30 s");
                    }
                    long id =
                        db.inTx(
                            PAY,
                            tx -> {
                              tx.update(DEBIT, 10);
                              return tx.queryOne(RECEIPT, rs -> rs.getLong(1), 10).orElseThrow();
                            });
                    if (!ran.tryAcquire(30, TimeUnit.SECONDS)) {
                      throw new AssertionError("the background thread ran no unit in 30 s");
                    }
                    return id;
                  });
    } finally {
      stop.set(true);
      other.join(Duration.ofSeconds(30));
    }
    assertThat(report.units()).isEqualTo(1); // only the action's own unit
    assertThat(report.pointsTried()).isEqualTo(3); // two statements and the COMMIT
    assertThat(failed.get()).isNull();
    assertThat(retried.get()).as("background units retried after an injected failure").isZero();
  }

  @Test
  void generatedIdsAreNotADifferenceBecauseSequencesAreSetBackForTheRetry() throws Exception {
    check()
        .verify(
            () ->
                db.inTx(
                    PAY,
                    tx -> {
                      long id = tx.queryOne(RECEIPT, rs -> rs.getLong(1), 5).orElseThrow();
                      tx.update(DEBIT, 5);
                      return id;
                    }));
  }

  @Test
  void anActionWhoseOnlyUnitRunsOnAnotherThreadIsNotPassedAsSafe() {
    // the unit is unsafe to retry (it mails inside its callback), but runs on a thread the action
    // starts and joins: the check neither numbers nor fails it, so it must not report "safe" with
    // nothing tried
    assertThatThrownBy(
            () ->
                check()
                    .verify(
                        () -> {
                          try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
                            return threads
                                .submit(
                                    () ->
                                        db.inTx(
                                            PAY,
                                            tx -> {
                                              tx.update(DEBIT, 10);
                                              send("paid 10");
                                              tx.update(CREDIT, 10);
                                              return null;
                                            }))
                                .get();
                          }
                        }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no unit on the thread running the check")
        .hasMessageContaining("'pay'");
  }

  @Test
  void aSetupThatDoesNotRestoreTheStartIsRefused() {
    assertThatThrownBy(
            () ->
                RetrySafety.of(tdb)
                    .tables("receipt")
                    .verify(
                        () ->
                            db.inTx(
                                PAY, tx -> tx.update("insert into receipt(amount) values (1)"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("setup does not restore the starting state");
  }
}
