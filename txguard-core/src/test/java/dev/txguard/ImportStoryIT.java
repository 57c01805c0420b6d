package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.ClassDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Story 4: parallel import tasks racing on shared dependency rows, and a cancel that waits for the
 * running tasks, written with insert-or-get and shared/exclusive advisory locks.
 */
class ImportStoryIT {
  @RegisterExtension static final ClassDatabase testDb = Fixture.classDatabase();
  static Database db;

  @BeforeAll
  static void setUp() throws Exception {
    testDb.execute(
        "create table dependency (id "
            + Fixture.generatedBigKey()
            + ", name varchar(100) not null unique)",
        "create table product (sku varchar(100) primary key,"
            + " dep_a bigint not null references dependency(id),"
            + " dep_b bigint not null references dependency(id))",
        "create table import_task (id int primary key, import_id int not null, first_product int not null,"
            + " state text not null default 'pending')");
    db = Fixture.builder(testDb).poolSize(8).build();
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void eightParallelTasksImportEveryProductAndDependencyExactlyOnce() throws Exception {
    int importId = 1;
    for (int t = 0; t < 25; t++) {
      testDb.execute(
          "insert into import_task (id, import_id, first_product) values ("
              + t
              + ", "
              + importId
              + ", "
              + (t * 8)
              + ")");
    }
    AtomicInteger aborted = new AtomicInteger();
    AtomicInteger maxHolders = new AtomicInteger();
    AtomicInteger holders = new AtomicInteger();
    ConcurrentLinkedQueue<Integer> tasks = new ConcurrentLinkedQueue<>();
    for (int t = 0; t < 25; t++) {
      tasks.add(t);
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      done.add(
          pool.submit(
              () -> {
                for (Integer task = tasks.poll(); task != null; task = tasks.poll()) {
                  int id = task;
                  try {
                    db.locks()
                        .withShared(
                            "import:" + importId,
                            Duration.ofSeconds(5),
                            () -> {
                              maxHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
                              try {
                                runTask(id);
                              } finally {
                                holders.decrementAndGet();
                              }
                              return null;
                            });
                  } catch (TransactionAbortedException e) {
                    aborted.incrementAndGet();
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(aborted.get()).isZero();
    assertThat(testDb.queryLong("select count(*) from product")).isEqualTo(200);
    assertThat(testDb.queryLong("select count(*) from dependency")).isEqualTo(20);
    assertThat(
            testDb.queryLong(
                "select count(*) from import_task where import_id = 1 and state = 'done'"))
        .isEqualTo(25);
    assertThat(maxHolders.get()).as("tasks held the shared lock together").isGreaterThan(1);
    assertThat(Fixture.active(db)).isZero();
  }

  private static void runTask(int taskId) {
    db.useTx(
        TxOptions.defaults().name("import-task-" + taskId),
        tx -> {
          tx.updateExactly(
              1,
              "update import_task set state = 'running' where id = ? and state = 'pending'",
              taskId);
          int first =
              tx.queryOne(
                      "select first_product from import_task where id = ?",
                      rs -> rs.getInt(1),
                      taskId)
                  .orElseThrow();
          // Dependencies are shared between tasks: lock their names in the one global order first,
          // or two
          // tasks inserting the same two new dependencies in opposite orders deadlock on the unique
          // index.
          List<String> names = new ArrayList<>();
          for (int p = first; p < first + 8; p++) {
            names.add("dep-" + (p % 20));
            names.add("dep-" + ((p * 7 + 3) % 20));
          }
          tx.lockAll(names);
          for (int p = first; p < first + 8; p++) {
            long a = dependency(tx, "dep-" + (p % 20));
            long b = dependency(tx, "dep-" + ((p * 7 + 3) % 20));
            tx.update("insert into product values (?, ?, ?)", "sku-" + p, a, b);
          }
          tx.updateExactly(
              1,
              "update import_task set state = 'done' where id = ? and state = 'running'",
              taskId);
        });
  }

  private static long dependency(Tx tx, String name) {
    return tx.insertOrGet("dependency", Map.of("name", name), Map.of(), "id", rs -> rs.getLong(1));
  }

  @Test
  void cancelWaitsForRunningTasksAndDeletesPendingOnes() throws Exception {
    int importId = 2;
    for (int t = 100; t < 110; t++) {
      testDb.execute(
          "insert into import_task (id, import_id, first_product) values ("
              + t
              + ", "
              + importId
              + ", 0)");
    }
    CountDownLatch running = new CountDownLatch(2);
    List<Long> finishedAt = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    for (int t = 100; t < 102; t++) {
      int id = t;
      pool.submit(
          () ->
              db.locks()
                  .withShared(
                      "import:" + importId,
                      Duration.ofSeconds(5),
                      () -> {
                        db.useTx(
                            tx -> {
                              tx.updateExactly(
                                  1,
                                  "update import_task set state = 'running' where id = ? and state = 'pending'",
                                  id);
                              running.countDown();
                              Thread.sleep(400);
                              tx.updateExactly(
                                  1, "update import_task set state = 'done' where id = ?", id);
                            });
                        synchronized (finishedAt) {
                          finishedAt.add(System.nanoTime());
                        }
                        return null;
                      }));
    }
    running.await();
    int deleted =
        db.locks()
            .withExclusive(
                "import:" + importId,
                Duration.ofSeconds(5),
                () ->
                    db.inTx(
                        tx ->
                            tx.update(
                                "delete from import_task where import_id = ? and state = 'pending'",
                                importId)));
    long cancelReturned = System.nanoTime();
    pool.shutdown();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    assertThat(deleted).isEqualTo(8);
    assertThat(finishedAt).hasSize(2).allSatisfy(t -> assertThat(t).isLessThan(cancelReturned));
    assertThat(
            testDb.queryLong(
                "select count(*) from import_task where import_id = 2 and state = 'done'"))
        .isEqualTo(2);
  }

  @Test
  void cancelGivesUpWithLockTimeoutWhenATaskRunsTooLong() throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread task =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    db.locks()
                        .withShared(
                            "import:3",
                            Duration.ofSeconds(5),
                            () -> {
                              holding.countDown();
                              release.await();
                              return null;
                            });
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    holding.await();
    try {
      assertThatThrownBy(
              () -> db.locks().withExclusive("import:3", Duration.ofMillis(300), () -> "cancelled"))
          .isInstanceOf(LockTimeoutException.class)
          .hasMessageContaining("exclusive advisory lock on key 'import:3' within 300 ms");
    } finally {
      release.countDown();
      task.join();
    }
    assertThat(db.locks().tryExclusive("import:3", () -> "free again")).contains("free again");
  }
}
