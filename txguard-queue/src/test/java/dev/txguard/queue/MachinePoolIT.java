package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.StaleDataException;
import dev.txguard.TxListener;
import dev.txguard.TxOptions;
import dev.txguard.test.Injected;
import dev.txguard.test.Progress;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
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
  static final String ENDED =
      "select count(*) from machines.job where state in ('completed', 'discarded')";
  static final AtomicInteger jobUnitRetries = new AtomicInteger();
  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute(
        "create table machine (id int primary key, state text not null, task_id int)",
        "create table task (id int primary key, state text not null, machine_id int, reason text)");
    db =
        Database.builder()
            .url(pg.url())
            .user(pg.user())
            .password(pg.password())
            .connectionTimeout(Duration.ofSeconds(10))
            .poolSize(16)
            .listener(
                new TxListener() {
                  @Override
                  public void onRetry(String name, int next, Throwable cause, Duration delay) {
                    if (name.startsWith("job ")) {
                      jobUnitRetries.incrementAndGet(); // a deadlock with scale-down, say
                    }
                  }
                })
            .build();
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
                  Thread.sleep(200); // the analysis, long enough for removals to meet running tasks
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

  /**
   * Takes an idle machine for {@code task}, or the machine an earlier attempt of its job already
   * took (this runs in a unit of its own, committed before the job's unit ends: when the job's unit
   * is retried, after a deadlock with scale-down, say, or the job is retried, the task already runs
   * on its machine). Throws (and the job retries) when no machine is idle; fails the job for good
   * when the task is no longer pending or running (scale-down failed it meanwhile).
   */
  static int acquire(int task) {
    return db.inNewTx(
        TxOptions.defaults().name("acquire machine"),
        tx -> {
          String[] row =
              tx.queryOne(
                      "select state, machine_id::text from task where id = ? for update",
                      rs -> new String[] {rs.getString(1), rs.getString(2)},
                      task)
                  .orElseThrow();
          if (row[0].equals("running")) {
            return Integer.parseInt(row[1]);
          }
          if (!row[0].equals("pending")) {
            throw new NonRetryableJobException(
                "task " + task + " is stale: it is " + row[0] + ", not pending or running");
          }
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
    // every task and job at once (one commit): enqueued one by one on a loaded machine, the tasks
    // ran as they came and scale-down found none left running
    db.useTx(
        tx -> {
          for (int t = 0; t < TASKS; t++) {
            tx.update("insert into task values (?, 'pending', null, null)", t);
            queue.enqueue(tx, new RunTask(t), EnqueueOptions.defaults().maxAttempts(1000));
          }
        });
    // the autoscaler removes machines while tasks run on them (each once it runs a task, as long
    // as tasks are left: on a loaded machine the first tasks may start only after a while)
    for (int m = 0; m < REMOVED; m++) {
      String busyOrNoneLeft =
          "select count(*) from machine where (id = "
              + m
              + " and state = 'busy') or not exists (select from task where state = 'pending')";
      QueueFixture.await(
          "machine " + m + " busy, or no task left pending",
          () -> pg.queryLong(busyOrNoneLeft) > 0,
          () -> pg.query("select state, count(*) from task group by state"));
      remove(m);
    }
    // progress: attempts made (a job retries while no machine is idle) and jobs ended
    Progress.await(
        "every job ended",
        () -> pg.queryLong(ENDED) == TASKS,
        () ->
            pg.query(
                "select count(*) filter (where state in ('completed', 'discarded')) as ended,"
                    + " sum(attempt) as attempts, count(*) filter (where state = 'running') as"
                    + " running from machines.job"));

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
                    + " '%is stale: %'"))
        .isEqualTo(failed);
    System.out.printf(
        "story 2, machine pool: %d tasks, %d of %d machines removed while running: %d completed,"
            + " %d failed with the autoscaler's reason, 0 running; %d job units retried%n",
        TASKS,
        REMOVED,
        MACHINES,
        pg.queryLong("select count(*) from task where state = 'completed'"),
        failed,
        jobUnitRetries.get());
  }
}
