package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.MariaDbExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * Against a real MariaDB, beyond the core suite (which runs on MariaDB too, see MARIADB.md): the
 * GET_LOCK scheme's shared holders against exclusive tries and waits with timeouts, the session
 * handed back as the pool lent it (COM_RESET_CONNECTION), isolation and read-only set for one unit
 * only, and the dialect chosen from a DataSource's metadata.
 */
@MariaDbOnly
class MariaDbSessionsAndLocksIT {
  @RegisterExtension static final MariaDbExtension maria = new MariaDbExtension();
  static Database db;

  @BeforeAll
  static void setUp() throws Exception {
    maria.execute(
        "create table task (id int primary key, note varchar(100)) engine=InnoDB",
        "insert into task values (7, 'a'), (8, 'b'), (9, 'c')");
    db = Fixture.db(maria, 4);
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void transactionLocksAndRowLocksAreHeldUntilTheUnitEnds() throws Exception {
    db.useTx(
        tx -> {
          tx.lock("machine:7");
          tx.lockShared(42L);
          tx.lockAll(List.of("b", "a", "c", "a"));
          assertThat(tx.lockRows("task", "id", List.of(9, 7, 8, 100))).isEqualTo(3);
          boolean freeElsewhere = db.inNewTx(other -> other.tryLock("machine:7"));
          assertThat(freeElsewhere).as("held by the first unit").isFalse();
          boolean sharedElsewhere = db.inNewTx(other -> other.tryLock(42L));
          assertThat(sharedElsewhere).as("an exclusive try against a shared holder").isFalse();
        });
    boolean afterEnd = db.inTx(tx -> tx.tryLock("machine:7") && tx.tryLock(42L));
    assertThat(afterEnd).as("released when the unit ended (its session was reset)").isTrue();
  }

  @Test
  void sharedHoldersRunTogetherAndAnExclusiveOneWaitsForThemWithinItsTimeout() throws Exception {
    CountDownLatch bothShared = new CountDownLatch(2);
    CountDownLatch finish = new CountDownLatch(1);
    Runnable reader =
        () -> {
          try {
            db.locks()
                .withShared(
                    "import:1",
                    Duration.ofSeconds(10),
                    () -> {
                      bothShared.countDown();
                      return finish.await(60, TimeUnit.SECONDS);
                    });
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    // threads of their own: the common pool may have a single thread on a small machine
    java.util.concurrent.ExecutorService readers =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    java.util.concurrent.Future<?> first = readers.submit(reader);
    java.util.concurrent.Future<?> second = readers.submit(reader);
    readers.shutdown();
    try {
      assertThat(bothShared.await(60, TimeUnit.SECONDS)).as("two shared holders at once").isTrue();
      assertThatThrownBy(
              () -> db.locks().withExclusive("import:1", Duration.ofMillis(400), () -> "cancelled"))
          .isInstanceOf(LockTimeoutException.class)
          .hasMessageContaining(
              "could not take the exclusive advisory lock on key 'import:1' within 400 ms (waited ")
          .hasMessageContaining("another session holds it (shared or exclusive)");
    } finally {
      finish.countDown();
    }
    first.get(60, TimeUnit.SECONDS);
    second.get(60, TimeUnit.SECONDS);
    assertThat(db.locks().withExclusive("import:1", Duration.ofSeconds(10), () -> "cancelled"))
        .isEqualTo("cancelled");
    assertThat(db.locks().tryExclusive("import:1", () -> "free")).contains("free");
  }

  @Test
  void aSessionChangedInAUnitIsResetBeforeTheNextUnit() throws Exception {
    try (Database one = Fixture.db(maria, 1)) {
      long before =
          one.inTx(tx -> tx.queryOne("select connection_id()", rs -> rs.getLong(1)).orElseThrow());
      one.useTx(
          tx -> {
            tx.update("set @customer = 42");
            tx.update("set session sql_mode = 'ANSI_QUOTES'");
            tx.update("set session innodb_lock_wait_timeout = 7");
            tx.queryOne("select get_lock('held-by-a-unit', 0)", rs -> rs.getInt(1));
          });
      String after =
          one.inTx(
              tx ->
                  tx.queryOne(
                          "select concat(coalesce(@customer, 'none'), '/',"
                              + " @@sql_mode like '%ANSI_QUOTES%', '/', @@innodb_lock_wait_timeout = @@global.innodb_lock_wait_timeout,"
                              + " '/', is_free_lock('held-by-a-unit'), '/', @@tx_isolation, '/', connection_id())",
                          rs -> rs.getString(1))
                      .orElseThrow());
      assertThat(after).isEqualTo("none/0/1/1/READ-COMMITTED/" + before);
    }
  }

  /**
   * COM_RESET_CONNECTION puts autocommit back on in the server; the next unit on that session must
   * still run as one transaction, after a unit that failed as after one that committed: its first
   * row stays invisible to others and locked until it ends.
   */
  @Test
  void aUnitOnAResetSessionIsStillOneTransaction() throws Exception {
    try (Database one = Fixture.db(maria, 1)) {
      for (boolean failed : List.of(true, false)) {
        if (failed) {
          assertThatThrownBy(
                  () ->
                      one.useTx(
                          tx -> {
                            tx.update("set session innodb_lock_wait_timeout = 3");
                            throw new IllegalStateException(
                                "the unit fails after a session change");
                          }))
              .isInstanceOf(IllegalStateException.class);
        } else {
          one.useTx(tx -> tx.update("set @customer = 42"));
        }
        one.useTx(
            tx -> {
              assertThat(tx.queryOne("select @@autocommit", rs -> rs.getInt(1)))
                  .as("autocommit in a unit after a reset (previous unit failed: %s)", failed)
                  .contains(0);
              tx.update("update task set note = 'in a unit' where id = 8");
              assertThat(maria.queryLong("select count(*) from task where note = 'in a unit'"))
                  .as("another session sees the unit's row before it ends (failed: %s)", failed)
                  .isZero();
              tx.update("update task set note = 'b' where id = 8");
            });
      }
    }
  }

  @Test
  void isolationAndReadOnlyOptionsApplyToTheirUnitOnly() throws Exception {
    try (Database one = Fixture.db(maria, 1)) {
      String inUnit =
          one.inTx(
              TxOptions.defaults()
                  .isolation(Isolation.SERIALIZABLE)
                  .readOnly(true)
                  .timeout(Duration.ofSeconds(20)),
              tx -> {
                tx.query(
                    "select id from task",
                    rs -> rs.getInt(1)); // InnoDB lists a transaction once it read a table
                return tx.queryOne(
                        "select trx_isolation_level from information_schema.innodb_trx"
                            + " where trx_mysql_thread_id = connection_id()",
                        rs -> rs.getString(1))
                    .orElse("no transaction");
              });
      assertThat(inUnit).isEqualTo("SERIALIZABLE");
      assertThatThrownBy(
              () ->
                  one.useTx(
                      TxOptions.defaults().readOnly(true),
                      tx -> tx.update("update task set note = 'x' where id = 7")))
          .isInstanceOf(StatementException.class)
          .hasMessageContaining("SQLSTATE 25006");
      String next =
          one.inTx(
              tx ->
                  tx.queryOne(
                          "select concat(@@tx_isolation, '/', @@tx_read_only + 0)",
                          rs -> rs.getString(1))
                      .orElseThrow());
      assertThat(next).isEqualTo("READ-COMMITTED/0");
    }
  }

  @Test
  void aDataSourceIsRecognisedAsMariaDbByItsMetadata() throws Exception {
    MariaDbDataSource ds = new MariaDbDataSource(maria.url());
    ds.setUser(maria.user());
    ds.setPassword(maria.password());
    try (Database fromDs = Database.builder().dataSource(ds).poolSize(2).build()) {
      assertThatThrownBy(
              () ->
                  fromDs.useTx(
                      TxOptions.defaults().name("ddl"), tx -> tx.update("drop table task")))
          .isInstanceOf(StatementException.class)
          .hasMessageContaining(
              "txguard refused DROP, which commits implicitly, sent as SQL inside unit 'ddl'")
          .hasMessageContaining("on MariaDB it would first commit");
    }
    try (Connection c = maria.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select count(*) from task")) {
      assertThat(rs.next() && rs.getInt(1) == 3).isTrue();
    }
  }
}
