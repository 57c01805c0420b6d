package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.MariaDbExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The silent failures MariaDB and MySQL have beyond PostgreSQL's, each against a real MariaDB: a
 * deadlock rolls back the whole transaction but the connection goes on; a lock wait timeout rolls
 * back one statement; DDL commits implicitly; a session variable outlives the unit that set it.
 */
@MariaDbOnly
class MariaDbFailuresIT {
  @RegisterExtension static final MariaDbExtension maria = new MariaDbExtension();
  static Database db;

  @BeforeAll
  static void setUp() throws Exception {
    maria.execute(
        "create table account (id int primary key, balance int not null) engine=InnoDB",
        "create table audit (id int auto_increment primary key, note varchar(100) not null) engine=InnoDB",
        "create table pad (id int auto_increment primary key, n int) engine=InnoDB");
    db = Fixture.db(maria, 4);
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @BeforeEach
  void clean() throws Exception {
    maria.execute(
        "delete from account",
        "delete from audit",
        "delete from pad",
        "insert into account values (1, 100), (2, 100)");
  }

  /**
   * InnoDB rolls back the whole transaction on a deadlock (1213) and the next statement silently
   * opens a new one: code that catches the error would commit only its second half. The unit is
   * aborted instead, and its commit refused naming the deadlock.
   */
  @Test
  void aCaughtDeadlockCannotCommitHalfAUnit() throws Exception {
    CountDownLatch bothHoldTheirFirstRow = new CountDownLatch(2);
    TxOptions once = TxOptions.defaults().name("transfer").maxAttempts(1);
    CompletableFuture<Void> other =
        CompletableFuture.runAsync(
            () ->
                db.useTx(
                    once.name("other"),
                    tx -> {
                      // more undo than "transfer": InnoDB rolls back the lighter transaction, so
                      // "transfer" is the victim
                      tx.update("insert into pad (n) select seq from seq_1_to_50");
                      tx.update("update account set balance = balance - 1 where id = 2");
                      bothHoldTheirFirstRow.countDown();
                      await(bothHoldTheirFirstRow);
                      tx.update("update account set balance = balance + 1 where id = 1");
                    }));
    assertThatThrownBy(
            () ->
                db.useTx(
                    once,
                    tx -> {
                      tx.update("insert into audit (note) values ('first half')");
                      tx.update("update account set balance = balance - 1 where id = 1");
                      bothHoldTheirFirstRow.countDown();
                      await(bothHoldTheirFirstRow);
                      awaitBlocked(other);
                      try {
                        tx.update("update account set balance = balance + 1 where id = 2");
                      } catch (StatementException deadlock) {
                        // swallowed, as naive code does; the server has rolled back "first half"
                        // already
                      }
                      tx.update("insert into audit (note) values ('second half')");
                    }))
        .isInstanceOf(RetriesExhaustedException.class)
        .hasMessageContaining(
            "unit 'transfer' failed after 1 attempts (maxAttempts 1), the last with: SQLSTATE 40001")
        .cause()
        .isInstanceOf(TransactionAbortedException.class)
        .hasMessageContaining(
            "statement refused: unit 'transfer' (attempt 1) was aborted by an earlier error:"
                + " SQLSTATE 40001 (")
        .hasMessageContaining("Deadlock found when trying to get lock")
        .hasMessageContaining("nothing in it will commit");
    other.get(60, TimeUnit.SECONDS);
    assertThat(maria.queryLong("select count(*) from audit")).isZero();
    assertThat(maria.queryLong("select sum(balance) from account")).isEqualTo(200);
  }

  /**
   * A lock wait timeout (1205) rolls back only the statement that waited
   * (innodb_rollback_on_timeout is OFF by default), and the transaction goes on without it. The
   * unit is aborted: nothing of it commits.
   */
  @Test
  void aLockWaitTimeoutInsideAUnitLeavesNoPartialTransaction() throws Exception {
    try (Connection holder = maria.connect();
        Statement st = holder.createStatement()) {
      holder.setAutoCommit(false);
      st.execute("update account set balance = 0 where id = 2");
      assertThatThrownBy(
              () ->
                  db.useTx(
                      TxOptions.defaults().name("pay"),
                      tx -> {
                        tx.update("insert into audit (note) values ('before the wait')");
                        tx.update("set innodb_lock_wait_timeout = 1");
                        try {
                          tx.update("update account set balance = balance + 1 where id = 2");
                        } catch (StatementException timeout) {
                          assertThat(timeout).hasMessageContaining("Lock wait timeout exceeded");
                        }
                        tx.update("insert into audit (note) values ('after the wait')");
                      }))
          .isInstanceOf(TransactionAbortedException.class)
          .hasMessageContaining(
              "unit 'pay' (attempt 1) was aborted by an earlier error: SQLSTATE HY000 (")
          .hasMessageContaining("Lock wait timeout exceeded");
      holder.rollback();
    }
    assertThat(maria.queryLong("select count(*) from audit")).isZero();
  }

  /**
   * CREATE TABLE would commit the unit's work so far: it is refused before it reaches the server.
   */
  @Test
  void createTableInsideAUnitIsRefused() throws Exception {
    assertThatThrownBy(
            () ->
                db.useTx(
                    TxOptions.defaults().name("migrate"),
                    tx -> {
                      tx.update("insert into audit (note) values ('before the DDL')");
                      tx.update("create table later (id int primary key)");
                    }))
        .isInstanceOf(StatementException.class)
        .hasMessageContaining(
            "txguard refused CREATE, which commits implicitly, sent as SQL inside unit 'migrate'"
                + " (attempt 1): on MariaDB it would first commit the unit's work so far, outside the unit's control;"
                + " run it outside a unit (before or after). The unit is aborted and nothing in it will commit");
    assertThat(maria.queryLong("select count(*) from audit")).isZero();
    assertThat(
            maria.queryLong(
                "select count(*) from information_schema.tables where table_schema = database()"
                    + " and table_name = 'later'"))
        .isZero();
  }

  /**
   * Statements that commit implicitly behind another leading word (SET STATEMENT ... FOR, EXECUTE
   * IMMEDIATE) or in a later assignment of a SET list: each is refused before it reaches the
   * server, so a unit that throws after it leaves nothing committed. Unrefused, each would commit
   * the unit's insert first and the unit's rollback would not undo it.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      textBlock =
          """
      set statement max_statement_time=1 for create table x7(id int)     | CREATE, which commits implicitly,
      set statement max_statement_time=10 for truncate table pad         | TRUNCATE, which commits implicitly,
      EXECUTE IMMEDIATE 'CREATE TABLE x8(id int)'                        | EXECUTE, which runs SQL text txguard cannot read and so may commit implicitly,
      SET @x = 1, autocommit = 1                                         | SET autocommit, which commits implicitly,
      SET @y = 2, @@session.autocommit = 1                               | SET autocommit, which commits implicitly,
      set session sql_mode='', autocommit=1                              | SET autocommit, which commits implicitly,
      DO 1; SET @a=1, autocommit=1                                       | SET autocommit, which commits implicitly,
      DO 1--1;CREATE TABLE y1(id int)                                    | CREATE, which commits implicitly,
      DO 1--1;SET @a=1, autocommit=1                                     | SET autocommit, which commits implicitly,
      SELECT 1/*!--*/;CREATE TABLE y1(id int)                            | CREATE, which commits implicitly,
      """)
  void hiddenImplicitCommitsInsideAUnitAreRefused(String sql, String named) throws Exception {
    maria.execute("insert into pad (n) values (7)");
    try (Database multi =
        Fixture.builder(maria).url(maria.url() + "?allowMultiQueries=true").poolSize(1).build()) {
      assertThatThrownBy(
              () ->
                  multi.useTx(
                      TxOptions.defaults().name("hidden"),
                      tx -> {
                        tx.update("insert into audit (note) values ('before the statement')");
                        tx.update(sql);
                        throw new IllegalStateException("the unit fails after the statement");
                      }))
          .as(sql)
          .isInstanceOf(StatementException.class)
          .hasMessageContaining(
              "txguard refused "
                  + named
                  + " sent as SQL inside unit 'hidden' (attempt 1): on MariaDB it")
          .hasMessageContaining("first commit the unit's work so far, outside the unit's control")
          .satisfies(e -> assertThat(((StatementException) e).sqlState()).isEqualTo("2D000"));
    }
    assertThat(maria.queryLong("select count(*) from audit")).as(sql).isZero();
    assertThat(maria.queryLong("select count(*) from pad")).as(sql).isOne();
    assertThat(
            maria.queryLong(
                "select count(*) from information_schema.tables where table_schema = database()"
                    + " and table_name in ('x7', 'x8', 'y1')"))
        .as(sql)
        .isZero();
  }

  /**
   * Break-it F1: MariaDB runs compound statements outside stored programs, and their bodies may
   * commit (or leak session settings) behind a first word txguard took for harmless. Each is
   * refused before it reaches the server, so a unit that fails after it leaves nothing committed;
   * unrefused, the COMMIT in the body committed the unit's insert first.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      textBlock =
          """
      IF 1 THEN COMMIT; END IF                                | IF
      CASE WHEN 1 THEN COMMIT; END CASE                       | CASE
      REPEAT COMMIT; UNTIL 1 END REPEAT                       | REPEAT
      IF 1 THEN CREATE TABLE y2(id int); END IF               | IF
      IF 1 THEN SET autocommit=1; END IF                      | IF
      IF 1 THEN EXECUTE IMMEDIATE 'COMMIT'; END IF            | IF
      IF 1 THEN SET SESSION tx_read_only=0; END IF            | IF
      BEGIN NOT ATOMIC COMMIT; END                            | BEGIN NOT ATOMIC
      lbl: BEGIN NOT ATOMIC COMMIT; END lbl                   | a label (lbl:)
      """)
  void compoundStatementsCannotCommitHalfAUnit(String sql, String named) throws Exception {
    assertThatThrownBy(
            () ->
                db.useTx(
                    TxOptions.defaults().name("compound"),
                    tx -> {
                      tx.update("insert into audit (note) values ('before the statement')");
                      tx.update(sql);
                      throw new IllegalStateException("the unit fails after the statement");
                    }))
        .as(sql)
        .isInstanceOf(StatementException.class)
        .hasMessage(
            "SQLSTATE 2D000 (txguard refused "
                + named
                + ", a compound statement, sent as SQL inside unit 'compound' (attempt 1):"
                + " compound statements cannot be checked inside a unit (the statements in their"
                + " body may commit implicitly or change the transaction, and txguard reads plain"
                + " statements only); put the logic in a stored procedure and CALL it outside a"
                + " unit, or send its statements inside the unit as plain statements. The unit is"
                + " aborted and nothing in it will commit) in: "
                + sql)
        .satisfies(e -> assertThat(((StatementException) e).sqlState()).isEqualTo("2D000"));
    assertThat(maria.queryLong("select count(*) from audit")).as(sql).isZero();
    assertThat(
            maria.queryLong(
                "select count(*) from information_schema.tables where table_schema = database()"
                    + " and table_name = 'y2'"))
        .as(sql)
        .isZero();
  }

  /**
   * EXECUTE runs a prepared statement whose text txguard cannot see; it is refused inside a unit
   * whatever it prepared (PREPARE itself runs nothing and is allowed).
   */
  @Test
  void executeOfAPreparedStatementInsideAUnitIsRefused() throws Exception {
    assertThatThrownBy(
            () ->
                db.useTx(
                    TxOptions.defaults().name("prepared"),
                    tx -> {
                      tx.update("insert into audit (note) values ('before the statement')");
                      tx.update("prepare s from 'create table x9 (id int)'");
                      tx.update("execute s");
                      throw new IllegalStateException("the unit fails after the statement");
                    }))
        .isInstanceOf(StatementException.class)
        .hasMessageContaining(
            "txguard refused EXECUTE, which runs SQL text txguard cannot read and so may commit"
                + " implicitly, sent as SQL inside unit 'prepared' (attempt 1): on MariaDB it could first commit")
        .satisfies(e -> assertThat(((StatementException) e).sqlState()).isEqualTo("2D000"));
    assertThat(maria.queryLong("select count(*) from audit")).isZero();
    assertThat(
            maria.queryLong(
                "select count(*) from information_schema.tables where table_schema = database()"
                    + " and table_name = 'x9'"))
        .isZero();
  }

  /**
   * There is no SET LOCAL: a unit's time limits are session variables, put back when the unit ends,
   * so the next unit on the same connection runs without them.
   */
  @Test
  void aUnitsTimeoutDoesNotOutliveIt() throws Exception {
    try (Database one = Fixture.db(maria, 1)) {
      long defaultLockWait =
          one.inTx(tx -> tx.queryOne("select @@innodb_lock_wait_timeout", rs -> rs.getLong(1)))
              .orElseThrow();
      double[] during =
          one.inTx(
                  TxOptions.defaults().name("bounded").timeout(Duration.ofMillis(2500)),
                  tx ->
                      tx.queryOne(
                          "select @@max_statement_time, @@innodb_lock_wait_timeout",
                          rs -> new double[] {rs.getDouble(1), rs.getDouble(2)}))
              .orElseThrow();
      assertThat(during[0])
          .as("max_statement_time: the unit's time left, in s")
          .isGreaterThan(0)
          .isLessThanOrEqualTo(2.5);
      assertThat(during[1])
          .as("innodb_lock_wait_timeout, whole seconds rounded up")
          .isBetween(1.0, 3.0);
      String after =
          one.inTx(
                  tx ->
                      tx.queryOne(
                          "select concat(@@max_statement_time, '/', @@innodb_lock_wait_timeout,"
                              + " '/', connection_id())",
                          rs -> rs.getString(1)))
              .orElseThrow();
      assertThat(after).startsWith("0.000000/" + defaultLockWait + "/");
      // a statement longer than the earlier unit's limit runs to its end in a unit without one
      java.util.Optional<Integer> slept =
          one.inTx(tx -> tx.queryOne("select sleep(3)", rs -> rs.getInt(1)));
      assertThat(slept).contains(0);
    }
  }

  /** A unit's own limit ends its statement, naming the unit and its timeout. */
  @Test
  void aUnitsTimeoutEndsItsStatement() {
    assertThatThrownBy(
            () ->
                db.useTx(
                    TxOptions.defaults().name("slow").timeout(Duration.ofMillis(300)),
                    tx -> tx.queryOne("select sleep(30)", rs -> rs.getInt(1))))
        .isInstanceOf(TxTimeoutException.class)
        .hasMessageContaining("unit 'slow' ran past its timeout of 300 ms");
  }

  /**
   * Waits until the other unit's update of row 1 waits for this unit's lock, naming in the failure
   * whether the other unit had ended and how.
   */
  private static void awaitBlocked(CompletableFuture<Void> other) throws Exception {
    try {
      maria.awaitLockWait("where id = 1");
    } catch (AssertionError notBlocked) {
      String outcome =
          other.isDone()
              ? other.handle((v, e) -> e == null ? "committed" : "failed: " + e).join()
              : "still running";
      throw new AssertionError(
          "the other unit (" + outcome + ") never waited for row 1: " + notBlocked.getMessage(),
          notBlocked);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new AssertionError(
            "the other unit never took its first row lock (" + latch.getCount() + " left)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
