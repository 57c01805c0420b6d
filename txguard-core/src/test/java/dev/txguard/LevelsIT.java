package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txguard.test.ClassDatabase;
import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Story 5: a pool that cannot deadlock on itself, and says who holds it when it runs dry. */
class LevelsIT {
  @RegisterExtension static final ClassDatabase testDb = Fixture.classDatabase();

  @BeforeAll
  static void setUp() throws Exception {
    testDb.execute("create table job (id " + Fixture.generatedKey() + ", note text)");
  }

  private static Database onePerLevel() {
    return Fixture.builder(testDb)
        .poolSize(1)
        .levelPoolSize(1)
        .connectionTimeout(Duration.ofSeconds(2))
        .build();
  }

  @Test
  void inNewTxInsideAUnitRunsOneLevelUpWithOneConnectionPerLevel() throws Exception {
    try (Database db = onePerLevel()) {
      int innerLevel =
          db.inTx(
              tx -> {
                tx.update("insert into job(note) values ('outer')");
                return db.inNewTx(
                    inner -> {
                      inner.update("insert into job(note) values ('inner')");
                      return db.level();
                    });
              });
      assertThat(innerLevel).isEqualTo(1);
      assertThat(db.level()).isZero();
      assertThat(db.poolStats()).extracting(PoolStats::level).containsExactly(0, 1);
      assertThat(Fixture.active(db)).isZero();
    }
  }

  @Test
  void inNewTxCommitsIndependentlyOfTheCaller() throws Exception {
    try (Database db = onePerLevel()) {
      testDb.execute("truncate job");
      assertThatThrownBy(
              () ->
                  db.useTx(
                      tx -> {
                        db.useNewTx(
                            inner -> inner.update("insert into job(note) values ('audit')"));
                        throw new IllegalStateException("outer fails");
                      }))
          .hasMessage("outer fails");
      assertThat(testDb.queryLong("select count(*) from job where note = 'audit'")).isEqualTo(1);
    }
  }

  @Test
  void unitWaitingOnAnExecutorTaskCompletesWithTxguardAndTimesOutWithoutIt() throws Exception {
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    try (Database db = onePerLevel()) {
      String result =
          db.inTx(
              tx -> {
                tx.update("insert into job(note) values ('waiting')");
                ExecutorService workers = db.context().wrap(executor);
                Future<String> task =
                    workers.submit(() -> db.inTx(inner -> "ran at level " + db.level()));
                return task.get(10, TimeUnit.SECONDS);
              });
      assertThat(result).isEqualTo("ran at level 1");
    }

    // The same shape on a plain HikariCP pool of one connection: the task waits for the connection
    // its submitter holds while the submitter waits for the task.
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(testDb.url());
    config.setUsername(testDb.user());
    config.setPassword(testDb.password());
    config.setMaximumPoolSize(1);
    config.setConnectionTimeout(500);
    try (HikariDataSource plain = new HikariDataSource(config);
        Connection outer = plain.getConnection()) {
      outer.setAutoCommit(false);
      outer.createStatement().executeUpdate("insert into job(note) values ('naive')");
      Future<Object> task =
          executor.submit(
              () -> {
                try (Connection inner = plain.getConnection()) {
                  return inner.createStatement().execute("select 1");
                }
              });
      assertThatThrownBy(() -> task.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(SQLTransientConnectionException.class);
      outer.rollback();
    }
    executor.shutdown();
  }

  @Test
  void fiftyCallersHoldingLevelZeroWhileWaitingForLevelOneAllComplete() throws Exception {
    try (Database db =
        Fixture.builder(testDb)
            .poolSize(4)
            .levelPoolSize(2)
            .connectionTimeout(Duration.ofSeconds(30))
            .build()) {
      AtomicInteger done = new AtomicInteger();
      ExecutorService callers = Executors.newFixedThreadPool(50);
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        int n = i;
        futures.add(
            callers.submit(
                () ->
                    db.useTx(
                        tx -> {
                          tx.update("insert into job(note) values (?)", "outer " + n);
                          db.useNewTx(
                              inner ->
                                  inner.update("insert into job(note) values (?)", "inner " + n));
                          done.incrementAndGet();
                        })));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      callers.shutdown();
      assertThat(done.get()).isEqualTo(50);
      assertThat(db.poolStats()).extracting(PoolStats::size).containsExactly(4, 2);
    }
  }

  @Test
  void exhaustedPoolNamesItsHolders() throws Exception {
    try (Database db =
        Fixture.builder(testDb).poolSize(1).connectionTimeout(Duration.ofMillis(300)).build()) {
      CountDownLatch holding = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Thread holder =
          Thread.ofPlatform()
              .name("report-builder")
              .start(
                  () -> {
                    try {
                      db.useTx(
                          TxOptions.defaults().name("nightly-report"),
                          tx -> {
                            holding.countDown();
                            release.await();
                          });
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
      holding.await();
      try {
        assertThatThrownBy(() -> db.useTx(TxOptions.defaults().name("request"), tx -> {}))
            .isInstanceOf(PoolExhaustedException.class)
            .hasMessageContaining("no connection free in the level-0 pool")
            .hasMessageContaining("(size 1, active 1, idle 0")
            .hasMessageContaining("unit 'nightly-report' (attempt 1) for ")
            .hasMessageContaining("on thread 'report-builder'")
            .hasMessageContaining("exhaustedPoolNamesItsHolders");
      } finally {
        release.countDown();
        holder.join();
      }
    }
  }

  @Test
  void goingPastMaxLevelsFailsAtOnceNamingTheLevelsInUse() throws Exception {
    try (Database db = Fixture.builder(testDb).poolSize(1).levelPoolSize(1).maxLevels(2).build()) {
      assertThatThrownBy(
              () ->
                  db.useTx(
                      TxOptions.defaults().name("a"),
                      tx ->
                          db.useNewTx(
                              TxOptions.defaults().name("b"),
                              tx2 -> db.useNewTx(TxOptions.defaults().name("c"), tx3 -> {}))))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("a unit at level 2 would exceed maxLevels 2")
          .hasMessageContaining("levels in use on this thread: 0 (unit 'a'), 1 (unit 'b')");
      assertThatThrownBy(() -> db.isolated(() -> db.isolated(() -> 1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("a unit at level 2 would exceed maxLevels 2");
    }
  }

  @Test
  void isolatedRunsOneLevelUpWithoutTheCurrentUnit() throws Exception {
    try (Database db = onePerLevel()) {
      db.useTx(
          tx -> {
            int seen =
                db.isolated(
                    () -> {
                      assertThat(db.level()).isEqualTo(1);
                      return db.inTx(
                          inner -> {
                            assertThat(inner).isNotSameAs(tx);
                            return db.level();
                          });
                    });
            assertThat(seen).isEqualTo(1);
          });
    }
  }

  @Test
  void openConnectionWorksWhileEveryPoolSlotIsHeldAndIsTheCallers() throws Exception {
    try (Database db = onePerLevel()) {
      testDb.execute("truncate job");
      db.useTx(
          tx -> {
            tx.update("insert into job(note) values ('in the unit')");
            try (Connection own = db.openConnection()) {
              assertThat(own.getAutoCommit()).isTrue();
              own.createStatement().execute("insert into job(note) values ('on its own')");
            }
            assertThat(Fixture.active(db)).isEqualTo(1);
          });
      assertThat(testDb.queryLong("select count(*) from job")).isEqualTo(2);
      assertThat(db.poolStats()).extracting(PoolStats::level).containsExactly(0);
    }
  }

  @Test
  void openConnectionFromADataSourceAndAfterClose() throws Exception {
    Database db = Database.builder().dataSource(Fixture.dataSource(testDb)).poolSize(1).build();
    try (Connection own = db.openConnection()) {
      assertThat(own.isValid(2)).isTrue();
      assertThat(own.getAutoCommit()).isTrue();
    }
    db.close();
    assertThatThrownBy(db::openConnection).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void levelsAndIsolationBelongToOneDatabase() throws Exception {
    try (Database a = onePerLevel();
        Database b = onePerLevel()) {
      a.isolated(
          () -> {
            assertThat(a.level()).isEqualTo(1);
            assertThat(b.level()).isZero();
            return b.inTx(tx -> tx.update("insert into job(note) values ('b at level 0')"));
          });
      assertThat(b.poolStats()).extracting(PoolStats::level).containsExactly(0);

      b.useTx(
          outerB ->
              a.useTx(
                  outerA ->
                      a.isolated(
                          () -> {
                            assertThat(Transactions.current()).containsSame(outerB);
                            b.useTx(
                                innerB ->
                                    assertThat(innerB).isSameAs(outerB)); // still joins b's unit
                            a.useTx(innerA -> assertThat(innerA).isNotSameAs(outerA));
                            return null;
                          })));

      ExecutorService pool = a.context().wrap(Executors.newSingleThreadExecutor());
      try {
        assertThat(pool.submit(() -> List.of(a.level(), b.level())).get()).containsExactly(0, 0);
        a.useTx(
            tx -> {
              ExecutorService upOne = a.context().wrap(Executors.newSingleThreadExecutor());
              try {
                assertThat(upOne.submit(() -> List.of(a.level(), b.level())).get())
                    .containsExactly(1, 0);
              } finally {
                upOne.shutdown();
              }
            });
      } finally {
        pool.shutdown();
      }
    }
  }

  @Test
  void wrappedTaskRunByAThreadThatHoldsTheCapturedLevelMovesUp() throws Exception {
    try (Database db = onePerLevel()) {
      LevelContext atZero = db.context(); // captured outside any unit
      int ran =
          db.inTx(
              tx ->
                  atZero.wrap(() -> db.inTx(inner -> db.level())).call()); // run here, in the unit
      assertThat(ran).isEqualTo(1);
    }
  }
}
