package dev.txguard.cli.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.txguard.Database;
import dev.txguard.StaleDataException;
import dev.txguard.TxOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Story 2: the autoscaler removes machines that still run tasks. Naive: {@code stop()} deletes the
 * machine's row first, then the task manager's {@code release()} expects the row, fails with a
 * stale-data error, and never puts the machine's tasks back: they stay "running" forever. With
 * txguard: one unit per removal, in a clear order (guarded release, tasks back to pending, then
 * delete); a duplicate removal event fails loudly, naming the row that was not as expected, and
 * leaves nothing half-done.
 */
final class StaleReleaseStory implements Story {
  static final int MACHINES = 12;
  static final int REMOVED = 8;
  static final int DUPLICATE_EVENTS = 3;
  private static final TxOptions UNIT =
      TxOptions.defaults().name("remove-machine").timeout(Duration.ofSeconds(5));

  @Override
  public int number() {
    return 2;
  }

  @Override
  public String id() {
    return "stale-release";
  }

  @Override
  public String title() {
    return "Stale rows and tasks stuck in \"running\"";
  }

  @Override
  public String description() {
    return "Runs 1-4 tasks on each of "
        + MACHINES
        + " machines, then the autoscaler removes "
        + REMOVED
        + " of them ("
        + DUPLICATE_EVENTS
        + " removal events arrive twice, concurrently). Counts tasks left"
        + " \"running\" on machines that no longer exist, and stale-data errors.";
  }

  /** What the original ORM raised: the row an update expected was gone. */
  static final class StaleMachineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StaleMachineException(String message) {
      super(message);
    }
  }

  @Override
  public Measurement run(Variant variant, StoryContext context) throws Exception {
    context.runScript("stale-release.sql");
    Random random = context.random();
    int tasks = seed(context, random);
    List<Integer> removed = pick(random);
    List<String> staleErrors = Collections.synchronizedList(new ArrayList<>());
    if (variant == Variant.NAIVE) {
      removeNaive(context, removed, staleErrors);
    } else {
      removeWithTxguard(context, removed, staleErrors);
    }
    return measure(variant, context, tasks, staleErrors);
  }

  private static int seed(StoryContext context, Random random) throws SQLException {
    int task = 0;
    try (Connection c = context.connect()) {
      for (int m = 1; m <= MACHINES; m++) {
        Jdbc.update(
            c,
            "insert into sr_machine (id, name, state) values (?, ?, 'busy')",
            m,
            "cuckoo-vm-" + m);
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
          Jdbc.update(
              c, "insert into sr_task (id, machine_id, state) values (?, ?, 'running')", ++task, m);
        }
      }
    }
    return task;
  }

  private static List<Integer> pick(Random random) {
    List<Integer> machines = new ArrayList<>();
    for (int m = 1; m <= MACHINES; m++) {
      machines.add(m);
    }
    Collections.shuffle(machines, random);
    return List.copyOf(machines.subList(0, REMOVED));
  }

  /** The original order: stop() deletes the row, then release() runs against a row that is gone. */
  private static void removeNaive(
      StoryContext context, List<Integer> removed, List<String> staleErrors) {
    try (HikariDataSource ds = context.plainPool("stale-release", 4, Duration.ofSeconds(5), true)) {
      for (int i = 0; i < removed.size(); i++) {
        int machine = removed.get(i);
        try (Connection c = ds.getConnection()) {
          stop(c, machine);
          if (i < DUPLICATE_EVENTS) {
            stop(c, machine);
          }
          release(c, machine);
        } catch (StaleMachineException | SQLException e) {
          // what the task manager did: log it and go on with the next machine
          staleErrors.add(e.getMessage());
        }
      }
    }
  }

  private static void stop(Connection c, int machine) throws SQLException {
    Jdbc.update(c, "delete from sr_machine where id = ?", machine);
  }

  private static void release(Connection c, int machine) throws SQLException {
    int rows = Jdbc.update(c, "update sr_machine set state = 'free' where id = ?", machine);
    if (rows != 1) {
      // as the ORM did: the row it expected is gone, so the rest of release() never runs
      throw new StaleMachineException(
          "UPDATE on sr_machine expected to update 1 row; " + rows + " were matched");
    }
    Jdbc.update(
        c,
        "update sr_task set state = 'pending', machine_id = null where machine_id = ? and state = 'running'",
        machine);
  }

  /** One unit per removal; the first removals also get a concurrent duplicate event. */
  private static void removeWithTxguard(
      StoryContext context, List<Integer> removed, List<String> staleErrors) throws Exception {
    ExecutorService events = Executors.newFixedThreadPool(2);
    try (Database db = context.database().poolSize(4).build()) {
      List<Future<?>> pending = new ArrayList<>();
      for (int i = 0; i < removed.size(); i++) {
        int machine = removed.get(i);
        int copies = i < DUPLICATE_EVENTS ? 2 : 1;
        for (int copy = 0; copy < copies; copy++) {
          pending.add(
              events.submit(
                  () -> {
                    try {
                      removeMachine(db, machine);
                    } catch (StaleDataException e) {
                      staleErrors.add(e.getMessage());
                    }
                    return null;
                  }));
        }
      }
      for (Future<?> f : pending) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      events.shutdownNow();
    }
  }

  /** Release, requeue, delete: in this order, in one unit; the release is a guarded transition. */
  private static void removeMachine(Database db, int machine) {
    db.useTx(
        UNIT,
        tx -> {
          tx.updateExactly(
              1,
              "update sr_machine set state = 'releasing' where id = ? and state = 'busy'",
              machine);
          tx.update(
              "update sr_task set state = 'pending', machine_id = null where machine_id = ? and state = 'running'",
              machine);
          tx.updateExactly(1, "delete from sr_machine where id = ?", machine);
        });
  }

  private Measurement measure(
      Variant variant, StoryContext context, int tasks, List<String> staleErrors)
      throws SQLException {
    long stuck =
        context.queryLong(
            "select count(*) from sr_task t where t.state = 'running'"
                + " and not exists (select 1 from sr_machine m where m.id = t.machine_id)");
    long requeued = context.queryLong("select count(*) from sr_task where state = 'pending'");
    long machinesLeft = context.queryLong("select count(*) from sr_machine");
    String firstError = staleErrors.isEmpty() ? "none" : staleErrors.get(0);
    boolean fault = stuck > 0 || machinesLeft != MACHINES - REMOVED;
    String brief = Plural.of(stuck, "task") + " stuck running";
    String detail =
        variant == Variant.NAIVE
            ? REMOVED
                + " machines deleted before release; "
                + Plural.of(staleErrors.size(), "stale-data error")
                + " swallowed, "
                + stuck
                + " of "
                + tasks
                + " tasks left \"running\" on machines that no longer exist (first error: "
                + firstError
                + ")"
            : REMOVED
                + " machines released then deleted in one unit each; "
                + Plural.of(requeued, "task")
                + " back to pending, "
                + stuck
                + " stuck; "
                + Plural.of(staleErrors.size(), "duplicate event")
                + " failed loudly ("
                + firstError
                + ")";
    return Measurement.collect()
        .put("machines", MACHINES)
        .put("machinesRemoved", MACHINES - machinesLeft)
        .put("tasks", tasks)
        .put("tasksStuckRunning", stuck)
        .put("tasksRequeued", requeued)
        .put("staleErrors", staleErrors.size())
        .measured(fault, brief, detail);
  }
}
