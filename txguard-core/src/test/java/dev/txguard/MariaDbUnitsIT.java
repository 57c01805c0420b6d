package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.MariaDbExtension;
import java.sql.Connection;
import java.sql.Statement;
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
 * What units meet only on MariaDB, beyond the core suite (which runs on MariaDB too, see
 * MARIADB.md): a real InnoDB deadlock, where InnoDB picks the victim and rolls back its whole
 * transaction, retried whole with its hooks run once; MariaDB's own spellings of transaction
 * control (executable comments, {@code #} comments, {@code SET autocommit}, XA, {@code LOCK
 * TABLES}); insert-or-get through {@code ON DUPLICATE KEY UPDATE ... RETURNING}.
 */
@MariaDbOnly
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
    db = Fixture.db(maria, 4);
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
                          // no wait for "mover" to block on id 2 first: whichever of the two asks
                          // last closes the cycle, and InnoDB rolls back the transaction that
                          // changed fewer rows ("Deadlock Detection", MySQL and MariaDB manuals),
                          // "mover", either way (a wait through information_schema missed the
                          // lock wait for 60 s once under load, and "mover" timed out at 50 s)
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

  /**
   * The fault: {@code SET TRANSACTION} sets the next transaction only, and a unit that ran no
   * statement began none (MariaDB Connector/J sends no COMMIT or ROLLBACK outside a transaction),
   * so its READ ONLY and SERIALIZABLE went to the next unit on the connection, whose insert failed:
   * "Cannot execute statement in a READ ONLY transaction".
   */
  @Test
  void aUnitThatRanNoStatementLeavesItsCharacteristicsToNoOtherUnit() throws Exception {
    try (Database one = Fixture.db(maria, 1)) {
      one.useTx(TxOptions.defaults().isolation(Isolation.SERIALIZABLE).readOnly(true), tx -> {});
      one.useTx(tx -> tx.update("insert into step values (1, 'written')"));
    }
    assertThat(maria.queryLong("select count(*) from step")).isEqualTo(1);
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
