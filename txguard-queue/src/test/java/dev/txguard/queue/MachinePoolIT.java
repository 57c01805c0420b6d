package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.StaleDataException;
import dev.txguard.TxOptions;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Story 2, the machine pool: tasks run on machines that the autoscaler removes while they run.
 * Scale-down releases a machine's task and then deletes the machine, in one unit; a task's own
 * transitions are guarded ({@code updateExactly}) and fail loudly with {@link StaleDataException}
 * when its row is no longer in the expected state. No task is left "running".
 */
@TxguardTest(queue = false)
class MachinePoolIT {
  @Injected static TestDatabase pg;

  record RunTask(int task) {}

  static final int TASKS = 50;
  static final int MACHINES = 10;
  static final int REMOVED = 6;
  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute(
        "create table machine (id int primary key, state text not null, task_id int)",
        "create table task (id int primary key, state text not null, machine_id int, reason text)");
    db = QueueFixture.db(pg, 16);
    queue =
        QueueFixture.builder(pg, db, "machines")
            .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(100))
            .handleInTx(
                "run-task",
                RunTask.class,
                (tx, job) -> {
                  int task = job.args().task();
                  int machine =
                      acquire(task); // its own committed unit, one level up: the autoscaler sees it
                  Thread.sleep(50); // the analysis
                  try {
                    tx.updateExactly(
                        1,
                        "update task set state = 'completed' where id = ? and state = 'running'"
                            + " and machine_id = ?",
                        task,
                        machine);
                    tx.updateExactly(
                        1,
                        "update machine set state = 'idle', task_id = null where id = ? and task_id = ?",
                        machine,
                        task);
                  } catch (StaleDataException e) {
                    // the autoscaler removed the machine and failed the task (with its reason)
                    // meanwhile
                    throw new NonRetryableJobException(
                        "task " + task + " on machine " + machine + " is stale: " + e.getMessage(),
                        e);
                  }
                  return machine;
                })
            .queue("default", 8)
            .build();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() {
    QueueFixture.stop(queue, db);
  }

  /** Takes an idle machine for {@code task}; throws (and the job retries) when none is idle. */
  static int acquire(int task) {
    return db.inNewTx(
        TxOptions.defaults().name("acquire machine"),
        tx -> {
          Optional<Integer> machine =
              tx.queryOne(
                  "update machine set state = 'busy', task_id = ? where id = ("
                      + "select id from machine where state = 'idle' order by id limit 1 for update skip locked) returning id",
                  rs -> rs.getInt(1),
                  task);
          int m =
              machine.orElseThrow(
                  () -> new IllegalStateException("no idle machine for task " + task));
          tx.updateExactly(
              1,
              "update task set state = 'running', machine_id = ? where id = ? and state = 'pending'",
              m,
              task);
          return m;
        });
  }

  /** Scale-down of one machine: release its task (failed, with the reason), then delete it. */
  static void remove(int machine) {
    db.useTx(
        TxOptions.defaults().name("scale down"),
        tx -> {
          Optional<Integer> task =
              tx.queryOne(
                  "select task_id from machine where id = ? for update",
                  rs -> (Integer) rs.getObject(1),
                  machine);
          if (task.isPresent()) {
            tx.updateExactly(
                1,
                "update task set state = 'failed', machine_id = null, reason = ? where id = ?"
                    + " and state = 'running' and machine_id = ?",
                "machine " + machine + " removed by the autoscaler while the task ran",
                task.get(),
                machine);
          }
          tx.updateExactly(1, "delete from machine where id = ?", machine);
        });
  }

  @Test
  void
      withScaleDownRunningConcurrentlyEveryTaskEndsCompletedOrFailedWithAReasonAndNoneStaysRunning()
          throws Exception {
    for (int m = 0; m < MACHINES; m++) {
      pg.execute("insert into machine values (" + m + ", 'idle', null)");
    }
    for (int t = 0; t < TASKS; t++) {
      pg.execute("insert into task values (" + t + ", 'pending', null, null)");
      queue.enqueue(new RunTask(t), EnqueueOptions.defaults().maxAttempts(1000));
    }
    // the autoscaler removes machines while tasks run on them
    for (int m = 0; m < REMOVED; m++) {
      Thread.sleep(40);
      remove(m);
    }
    await(
        "every job ended",
        () ->
            pg.queryLong(
                    "select count(*) from machines.job where state in"
                        + " ('completed', 'discarded')")
                == TASKS);

    assertThat(pg.queryLong("select count(*) from task where state in ('running', 'pending')"))
        .isZero();
    assertThat(
            pg.queryLong(
                "select count(*) from task where state = 'failed' and reason like 'machine % removed"
                    + " by the autoscaler while the task ran'"))
        .isEqualTo(pg.queryLong("select count(*) from task" + " where state = 'failed'"));
    assertThat(
            pg.queryLong(
                "select count(*) from machine where state = 'busy' or task_id is not null"))
        .isZero();
    assertThat(pg.queryLong("select count(*) from machine")).isEqualTo(MACHINES - REMOVED);
    long failed = pg.queryLong("select count(*) from task where state = 'failed'");
    // a task failed by scale-down is exactly one whose job was discarded with the stale-data error
    assertThat(
            pg.queryLong(
                "select count(*) from machines.job where state = 'discarded' and errors::text like"
                    + " '%is stale: %expected 1 row%'"))
        .isEqualTo(failed);
    System.out.printf(
        "story 2, machine pool: %d tasks, %d of %d machines removed while running: %d completed,"
            + " %d failed with the autoscaler's reason, 0 running%n",
        TASKS,
        REMOVED,
        MACHINES,
        pg.queryLong("select count(*) from task where state = 'completed'"),
        failed);
  }
}
