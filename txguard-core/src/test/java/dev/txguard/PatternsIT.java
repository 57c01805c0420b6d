package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.ClassDatabase;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handles;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Savepoints, hooks, the side-effect guard, guarded updates, locks and the DataSource view. */
class PatternsIT {
  @RegisterExtension static final ClassDatabase testDb = Fixture.classDatabase();
  static final List<String> hookFailures = new CopyOnWriteArrayList<>();
  static Database db;

  @BeforeAll
  static void setUp() throws Exception {
    testDb.execute("create table task (id int primary key, state text not null)");
    db =
        Fixture.builder(testDb)
            .poolSize(4)
            .listener(
                new TxListener() {
                  @Override
                  public void onHookFailed(String name, Throwable error) {
                    hookFailures.add(name + ": " + error.getMessage());
                  }
                })
            .build();
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @BeforeEach
  void clean() throws Exception {
    testDb.execute("truncate task");
    hookFailures.clear();
  }

  @Test
  void savepointRecoversFromAnExpectedError() throws Exception {
    testDb.execute("insert into task values (1, 'pending')");
    db.useTx(
        tx -> {
          assertThatThrownBy(
                  () -> tx.savepoint(sp -> sp.update("insert into task values (1, 'dup')")))
              .isInstanceOf(StatementException.class)
              .hasMessageContaining(Fixture.uniqueViolation());
          tx.update("insert into task values (2, 'pending')");
        });
    assertThat(testDb.queryLong("select count(*) from task")).isEqualTo(2);
  }

  @Test
  void savepointThatSwallowsAnErrorIsRolledBackLoudly() throws Exception {
    testDb.execute("insert into task values (1, 'pending')");
    db.useTx(
        tx -> {
          assertThatThrownBy(
                  () ->
                      tx.savepoint(
                          sp -> {
                            sp.update("insert into task values (3, 'inside')");
                            try {
                              sp.update("insert into task values (1, 'dup')");
                            } catch (StatementException ignored) {
                              // swallowed inside the savepoint
                            }
                            return null;
                          }))
              .isInstanceOf(TransactionAbortedException.class)
              .hasMessageContaining("savepoint work returned normally");
          tx.update("insert into task values (4, 'after')");
        });
    assertThat(testDb.queryLong("select count(*) from task")).isEqualTo(2);
    assertThat(testDb.queryLong("select count(*) from task where id = 3")).isZero();
  }

  @Test
  void afterCommitHookOfAUnitRetriedTwiceRunsExactlyOnce() throws Exception {
    AtomicInteger ran = new AtomicInteger();
    AtomicInteger attempts = new AtomicInteger();
    db.useTx(
        tx -> {
          attempts.incrementAndGet();
          tx.afterCommit(ran::incrementAndGet);
          if (tx.attempt() <= 2) {
            tx.update(Fixture.failWith("40001"));
          }
        });
    assertThat(attempts.get()).isEqualTo(3);
    assertThat(ran.get()).isEqualTo(1);
  }

  @Test
  void hookOfARolledBackSavepointNeverRuns() throws Exception {
    List<String> ran = new CopyOnWriteArrayList<>();
    db.useTx(
        tx -> {
          tx.afterCommit(() -> ran.add("outer"));
          try {
            tx.savepoint(
                sp -> {
                  sp.afterCommit(() -> ran.add("inside rolled-back savepoint"));
                  throw new IllegalStateException("step fails");
                });
          } catch (IllegalStateException expected) {
            // the step is undone, the unit goes on
          }
        });
    assertThat(ran).containsExactly("outer");
  }

  @Test
  void throwingHookDoesNotStopTheNextOneNorChangeTheOutcome() throws Exception {
    List<String> ran = new CopyOnWriteArrayList<>();
    db.useTx(
        TxOptions.defaults().name("notify"),
        tx -> {
          tx.update("insert into task values (5, 'done')");
          tx.afterCommit(
              () -> {
                throw new IllegalStateException("mail server down");
              });
          tx.afterCommit(() -> ran.add("second"));
        });
    assertThat(ran).containsExactly("second");
    assertThat(hookFailures).containsExactly("notify: mail server down");
    assertThat(testDb.queryLong("select count(*) from task")).isEqualTo(1);
  }

  @Test
  void hooksOfAnInNewTxUnitRunOutsideTheCallersUnit() throws Exception {
    hookFailures.clear();
    List<String> ran = new CopyOnWriteArrayList<>();
    assertThatThrownBy(
            () ->
                db.useTx(
                    outer -> {
                      outer.update("insert into task values (20, 'outer')");
                      db.useNewTx(
                          audit -> {
                            audit.update("insert into task values (21, 'audit')");
                            audit.afterCommit(
                                () -> {
                                  Transactions.assertNoTransaction(
                                      "sending the audit mail"); // the caller's unit is hidden
                                  db.useTx(
                                      tx ->
                                          tx.update(
                                              "insert into task values (22, 'mail sent')")); // not
                                  // joined to outer
                                  ran.add("mail");
                                });
                          });
                      throw new IllegalStateException("outer fails after the audit committed");
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(ran).containsExactly("mail");
    assertThat(hookFailures).isEmpty();
    assertThat(testDb.queryLong("select count(*) from task where id in (21, 22)")).isEqualTo(2);
    assertThat(testDb.queryLong("select count(*) from task where id = 20")).isZero();
  }

  @Test
  void manualHandleEndsOnceAndRunsItsHooksOnce() throws Exception {
    List<String> ran = new CopyOnWriteArrayList<>();
    TxHandle committed = db.begin(TxOptions.defaults().name("manual-once"));
    committed.tx().afterCommit(() -> ran.add("commit"));
    committed.tx().afterRollback(() -> ran.add("rollback"));
    committed.commit();
    assertThatThrownBy(committed::commit)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already ended it");
    assertThatThrownBy(committed::rollback).isInstanceOf(IllegalStateException.class);
    committed.close();
    assertThat(ran).containsExactly("commit");

    ran.clear();
    TxHandle rolledBack = db.begin();
    rolledBack.tx().afterRollback(() -> ran.add("rollback"));
    rolledBack.rollback();
    assertThatThrownBy(rolledBack::commit).isInstanceOf(IllegalStateException.class);
    rolledBack.close();
    assertThat(ran).containsExactly("rollback");
  }

  @Test
  void afterRollbackRunsOnlyForTheFinalOutcome() {
    List<Integer> ran = new CopyOnWriteArrayList<>();
    assertThatThrownBy(
            () ->
                db.useTx(
                    TxOptions.defaults().maxAttempts(2),
                    tx -> {
                      int attempt = tx.attempt();
                      tx.afterRollback(() -> ran.add(attempt));
                      tx.update(Fixture.failWith("40001"));
                    }))
        .isInstanceOf(RetriesExhaustedException.class);
    assertThat(ran).containsExactly(2);
  }

  @Test
  void afterCommitOrNowRunsAtOnceOutsideAUnit() throws Exception {
    List<String> ran = new CopyOnWriteArrayList<>();
    Transactions.afterCommitOrNow(() -> ran.add("now"));
    db.useTx(
        tx -> {
          Transactions.afterCommitOrNow(() -> ran.add("after commit"));
          assertThat(ran).containsExactly("now");
        });
    assertThat(ran).containsExactly("now", "after commit");
  }

  /** Stands for an HTTP client: the side effect a rollback cannot undo. */
  static String httpPost(String url) {
    Transactions.assertNoTransaction("HTTP POST " + url);
    return "200 OK";
  }

  @Test
  void sideEffectGuardThrowsInsideAUnitAndRunsOutsideOne() throws Exception {
    assertThat(Transactions.current()).isEmpty();
    assertThat(httpPost("https://payments.example/charge")).isEqualTo("200 OK");
    db.useTx(
        TxOptions.defaults().name("checkout"),
        tx -> {
          assertThat(Transactions.current()).containsSame(tx);
          assertThatThrownBy(() -> httpPost("https://payments.example/charge"))
              .isInstanceOf(SideEffectInTransactionException.class)
              .hasMessageStartingWith(
                  "HTTP POST https://payments.example/charge must not run inside a transaction")
              .hasMessageContaining("unit 'checkout'");
          tx.afterCommit(
              () -> assertThat(httpPost("https://payments.example/charge")).isEqualTo("200 OK"));
        });
  }

  @Test
  void guardedUpdateNamesTheStatementAndCounts() throws Exception {
    testDb.execute("insert into task values (6, 'done')");
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx ->
                        tx.updateExactly(
                            1,
                            "update task set state = 'released' where id = ? and state = 'running'",
                            6)))
        .isInstanceOf(StaleDataException.class)
        .hasMessage(
            "expected 1 row to change but 0 did, in unit 'tx': update task set state = 'released'"
                + " where id = ? and state = 'running' (the row is gone or no longer in the expected state)")
        .satisfies(e -> assertThat(((StaleDataException) e).actual()).isZero());
  }

  @Test
  void transactionLocksAndRowLocksInOneOrder() throws Exception {
    testDb.execute("insert into task values (7, 'a'), (8, 'b'), (9, 'c')");
    db.useTx(
        tx -> {
          tx.lock("machine:7");
          tx.lockShared(42L);
          tx.lockAll(List.of("b", "a", "c", "a"));
          assertThat(tx.lockRows("task", "id", List.of(9, 7, 8, 100))).isEqualTo(3);
          boolean freeElsewhere = db.inNewTx(other -> other.tryLock("machine:7"));
          assertThat(freeElsewhere).as("held by the first unit").isFalse();
        });
    boolean afterEnd = db.inTx(tx -> tx.tryLock("machine:7"));
    assertThat(afterEnd).as("released when the unit ended").isTrue();
    assertThatThrownBy(() -> db.useTx(tx -> tx.lock(3.5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("lock key must be a String or a Long, was java.lang.Double 3.5");
  }

  @Test
  void insertOrGetRejectsUnsafeInput() {
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx ->
                        tx.insertOrGet(
                            "task; drop table task", Map.of("id", 1), Map.of(), "id", rs -> 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "table must be an SQL identifier like name or schema.name, was task; drop table task");
    assertThatThrownBy(
            () -> db.useTx(tx -> tx.insertOrGet("task", Map.of(), Map.of(), "id", rs -> 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key must name the columns");
  }

  @Test
  void jdbiThroughTheDataSourceJoinsTheUnit() throws Exception {
    Jdbi jdbi = Jdbi.create(db.dataSource());
    jdbi.getConfig(Handles.class).setForceEndTransactions(false);
    db.useTx(
        tx -> {
          tx.update("insert into task values (10, 'txguard')");
          jdbi.useHandle(h -> h.execute("insert into task values (11, 'jdbi')"));
        });
    assertThat(testDb.queryLong("select count(*) from task where id in (10, 11)")).isEqualTo(2);

    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      jdbi.useHandle(h -> h.execute("insert into task values (12, 'jdbi')"));
                      throw new IllegalStateException("roll it all back");
                    }))
        .hasMessage("roll it all back");
    assertThat(testDb.queryLong("select count(*) from task where id = 12")).isZero();

    jdbi.useHandle(h -> h.execute("insert into task values (13, 'outside a unit')"));
    assertThat(testDb.queryLong("select count(*) from task where id = 13")).isEqualTo(1);
    assertThat(Fixture.active(db)).isZero();
  }
}
