package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.MariaDbExtension;
import java.io.IOException;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The core's guarantees that are not PostgreSQL-specific, against a real MariaDB: all-or-nothing
 * units, joins and the manual API, retries, the aborted-unit rule, refused transaction control,
 * deadlines, savepoints, hooks, guarded updates and insert-or-get (the counterparts of
 * UnitOfWorkIT, RetryIT, AbortedTransactionIT, TransactionControlIT, DeadlineAndLeakIT,
 * PatternsIT).
 */
class MariaDbUnitsIT {
  @RegisterExtension static final MariaDbExtension maria = new MariaDbExtension();
  static Database db;

  @BeforeAll
  static void setUp() throws Exception {
    maria.execute(
        "create table step (id int primary key, note varchar(100) not null) engine=InnoDB",
        "create table account (email varchar(100) primary key, id int auto_increment unique, name varchar(100))"
            + " engine=InnoDB",
        "create table pad (id int auto_increment primary key, n int) engine=InnoDB");
    db = MariaDbFixture.db(maria, 4);
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @BeforeEach
  void clean() throws Exception {
    maria.execute("delete from step", "delete from account");
  }

  @Test
  void sixWritesFailingAtTheFourthChangeNothingAndReturnTheConnection() throws Exception {
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      for (int i = 1; i <= 6; i++) {
                        tx.update(
                            "insert into step (id, note) values (?, ?)",
                            i,
                            i == 4 ? null : "write " + i);
                      }
                    }))
        .isInstanceOf(StatementException.class)
        .hasMessageContaining("SQLSTATE 23000")
        .hasMessageContaining("insert into step");
    assertThat(maria.queryLong("select count(*) from step")).isZero();
    assertThat(Fixture.active(db)).isZero();
  }

  @Test
  void resultsJoinsAndCheckedExceptions() throws Exception {
    int rows = db.inTx(tx -> tx.update("insert into step values (1, 'a'), (2, 'b')"));
    assertThat(rows).isEqualTo(2);
    List<String> notes =
        db.inTx(
            tx ->
                db.inTx(
                    inner ->
                        inner.query("select note from step order by id", rs -> rs.getString(1))));
    assertThat(notes).containsExactly("a", "b");
    IOException thrown = new IOException("disk full");
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      tx.update("insert into step values (3, 'c')");
                      db.useTx(joined -> joined.update("insert into step values (4, 'd')"));
                      throw thrown;
                    }))
        .isSameAs(thrown);
    assertThat(maria.queryLong("select count(*) from step")).isEqualTo(2);
  }

  @Test
  void manualHandleCommitsOnceAndInNewTxCommitsOnItsOwn() throws Exception {
    try (TxHandle handle = db.begin(TxOptions.defaults().name("manual"))) {
      handle.tx().update("insert into step values (1, 'manual')");
      db.useTx(
          tx -> db.useNewTx(inner -> inner.update("insert into step values (2, 'independent')")));
      handle.commit();
    }
    assertThat(maria.queryLong("select count(*) from step")).isEqualTo(2);
    assertThat(Fixture.active(db)).isZero();
  }

  @Test
  void aSwallowedDuplicateKeyCannotCommit() throws Exception {
    maria.execute("insert into step values (1, 'existing')");
    assertThatThrownBy(
            () ->
                db.useTx(
                    TxOptions.defaults().name("import"),
                    tx -> {
                      tx.update("insert into step values (2, 'new')");
                      try {
                        tx.update("insert into step values (1, 'duplicate')");
                      } catch (StatementException e) {
                        // swallowed: MariaDB rolled back only the statement, and would commit the
                        // rest
                      }
                    }))
        .isInstanceOf(TransactionAbortedException.class)
        .hasMessageContaining(
            "unit returned normally but cannot commit: unit 'import' (attempt 1) was aborted by an"
                + " earlier error: SQLSTATE 23000 (")
        .hasMessageContaining("Duplicate entry '1' for key 'PRIMARY'");
    assertThat(maria.queryLong("select count(*) from step")).isEqualTo(1);
  }

  @Test
  void savepointRecoversFromAnExpectedErrorAndDropsItsHooks() throws Exception {
    maria.execute("insert into step values (1, 'existing')");
    List<String> ran = new ArrayList<>();
    db.useTx(
        tx -> {
          tx.update("insert into step values (2, 'kept')");
          assertThatThrownBy(
                  () ->
                      tx.savepoint(
                          sp -> {
                            sp.afterCommit(() -> ran.add("undone"));
                            return sp.update("insert into step values (1, 'duplicate')");
                          }))
              .isInstanceOf(StatementException.class)
              .hasMessageContaining("Duplicate entry '1'");
          tx.afterCommit(() -> ran.add("kept"));
          tx.update("insert into step values (3, 'after the savepoint')");
        });
    assertThat(maria.queryLong("select count(*) from step")).isEqualTo(3);
    assertThat(ran).containsExactly("kept");
  }

  @Test
  void deadlockIsRetriedAndTheUnitCommitsOnceWithItsHooks() throws Exception {
    maria.execute("insert into step values (1, 'one'), (2, 'two')");
    AtomicInteger hooks = new AtomicInteger();
    AtomicInteger attempts = new AtomicInteger();
    CountDownLatch firstHeld = new CountDownLatch(1);
    CountDownLatch otherHolds = new CountDownLatch(1);
    Thread other =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    db.useTx(
                        TxOptions.defaults().name("other").maxAttempts(1),
                        tx -> {
                          // more undo than "mover": InnoDB rolls back the lighter transaction, so
                          // "mover" is the victim
                          tx.update("insert into pad (n) select seq from seq_1_to_50");
                          tx.update("update step set note = 'other' where id = 2");
                          otherHolds.countDown();
                          firstHeld.await();
                          maria.awaitLockWait("where id = 2");
                          tx.update("update step set note = 'other' where id = 1");
                        });
                  } catch (Exception e) {
                    throw new IllegalStateException(
                        "the other unit failed, it should have won the deadlock", e);
                  }
                });
    db.useTx(
        TxOptions.defaults().name("mover").maxAttempts(3),
        tx -> {
          attempts.incrementAndGet();
          tx.afterCommit(hooks::incrementAndGet);
          tx.update("update step set note = 'mover' where id = 1");
          if (tx.attempt() == 1) {
            firstHeld.countDown();
            otherHolds.await();
          }
          tx.update("update step set note = 'mover' where id = 2");
        });
    other.join(60_000);
    assertThat(attempts).hasValue(2);
    assertThat(hooks).hasValue(1);
    assertThat(maria.queryLong("select count(*) from step where note = 'mover'")).isEqualTo(2);
    assertThat(maria.queryLong("select count(*) from pad")).isEqualTo(50);
  }

  @Test
  void killedConnectionBeforeCommitIsRetriedOnANewConnection() throws Exception {
    List<Long> ids = new ArrayList<>();
    db.useTx(
        tx -> {
          long id = tx.queryOne("select connection_id()", rs -> rs.getLong(1)).orElseThrow();
          ids.add(id);
          tx.update("insert into step values (1, 'kiwi')");
          if (tx.attempt() == 1) {
            maria.execute("kill connection " + id);
            tx.update("insert into step values (2, 'mango')");
          }
        });
    assertThat(ids).hasSize(2);
    assertThat(ids.get(1)).isNotEqualTo(ids.get(0));
    assertThat(maria.queryLong("select count(*) from step")).isEqualTo(1);
    assertThat(Fixture.active(db)).isZero();
  }

  @Test
  void businessErrorsAreNotRetried() {
    AtomicInteger attempts = new AtomicInteger();
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx -> {
                      attempts.incrementAndGet();
                      tx.update("insert into missing_table values (1)");
                    }))
        .isInstanceOf(StatementException.class)
        .hasMessageContaining("SQLSTATE 42S02");
    assertThat(attempts).hasValue(1);
  }

  @Test
  void transactionControlSentAsSqlIsRefused() throws Exception {
    for (String sql :
        List.of(
            "COMMIT",
            "set autocommit = 1",
            "/*!40101 COMMIT */",
            "# note\nrollback",
            "SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE",
            "xa start 'x'",
            "lock tables step write")) {
      assertThatThrownBy(
              () ->
                  db.useTx(
                      TxOptions.defaults().name("sealed"),
                      tx -> {
                        tx.update("insert into step values (1, 'x')");
                        tx.update(sql);
                      }))
          .as(sql)
          .isInstanceOf(StatementException.class)
          .hasMessageContaining("txguard refused ")
          .hasMessageContaining("inside unit 'sealed' (attempt 1)")
          .hasMessageContaining("The unit is aborted and nothing in it will commit");
    }
    assertThat(maria.queryLong("select count(*) from step")).isZero();
  }

  @Test
  void callbackStuckOutsideTheDatabaseLosesItsLocksAtTheDeadline() throws Exception {
    maria.execute("insert into step values (1, 'free')");
    CountDownLatch stuck = new CountDownLatch(1);
    Thread owner =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    db.useTx(
                        TxOptions.defaults().name("stuck").timeout(Duration.ofMillis(500)),
                        tx -> {
                          tx.update("update step set note = 'held' where id = 1");
                          stuck.countDown();
                          Thread.sleep(5_000);
                        });
                  } catch (TxTimeoutException expected) {
                    // the deadline ended it
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    stuck.await();
    // waits while the row is locked, and goes on once the watchdog discarded the stuck unit's
    // connection
    db.useTx(
        TxOptions.defaults().name("next").timeout(Duration.ofSeconds(30)),
        tx -> tx.updateExactly(1, "update step set note = 'next' where id = 1"));
    assertThat(maria.queryLong("select count(*) from step where note = 'next'")).isEqualTo(1);
    owner.join();
  }

  @Test
  void guardedUpdateNamesTheStatementAndCounts() throws Exception {
    maria.execute("insert into step values (1, 'new')");
    assertThatThrownBy(
            () ->
                db.useTx(
                    tx ->
                        tx.updateExactly(
                            1, "update step set note = 'done' where id = 1 and note = 'old'")))
        .isInstanceOf(StaleDataException.class)
        .hasMessageContaining("expected 1 row to change but 0 did")
        .hasMessageContaining("update step set note = 'done' where id = 1 and note = 'old'");
  }

  @Test
  void insertOrGetReturnsTheSameRowForTheSameKey() throws Exception {
    long first =
        db.inTx(
            tx ->
                tx.insertOrGet(
                    "account",
                    Map.of("email", "a@x"),
                    Map.of("name", "Ann"),
                    "id",
                    rs -> rs.getLong(1)));
    long again =
        db.inTx(
            tx ->
                tx.insertOrGet(
                    "account",
                    Map.of("email", "a@x"),
                    Map.of("name", "Other"),
                    "id",
                    rs -> rs.getLong(1)));
    assertThat(again).isEqualTo(first);
    assertThat(maria.queryLong("select count(*) from account")).isEqualTo(1);
    assertThat(maria.queryLong("select count(*) from account where name = 'Ann'")).isEqualTo(1);
  }

  @Test
  void aConnectionFromOutsideIsUnaffected() throws Exception {
    try (Connection c = maria.connect();
        Statement st = c.createStatement()) {
      st.execute("insert into step values (9, 'outside')");
    }
    String note =
        db.inTx(
            tx ->
                tx.queryOne("select note from step where id = 9", rs -> rs.getString(1))
                    .orElseThrow());
    assertThat(note).isEqualTo("outside");
  }
}
