package dev.txguard.bench.queue;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.SchedulableInstance;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * db-scheduler 16.7.1 (16.12 is not served here) as its README advises for throughput: the {@code
 * lock-and-fetch} polling strategy ("If you are running >1000 executions/s you might want to use
 * the lock-and-fetch polling-strategy"; "For high throughput (i.e. keep threads busy), set to for
 * example 1.0, 4.0"), 16 threads, {@code enableImmediateExecution()} (a schedule() on a running
 * scheduler checks for due executions at once), default polling interval, the README's PostgreSQL
 * table and indexes, a HikariCP pool of 16 with auto-commit on (the README: with auto-commit off it
 * issues no commits unless told to). Job data is encoded in the instance id ("encode data into the
 * instanceId"), so no serializer runs.
 */
final class DbSchedulerContender implements Contender {
  static final String TABLE = "bench_dbs_tasks";

  static final Factory FACTORY =
      new Factory() {
        @Override
        public String name() {
          return "db-scheduler";
        }

        @Override
        public String configuration() {
          return "16.7.1; threads(16), pollUsingLockAndFetch(1.0, 4.0) (README 'Polling strategy': lock-and-fetch"
              + " above 1000 executions/s, 1.0, 4.0 for high throughput), enableImmediateExecution(), pollingInterval"
              + " 10 s (default); README postgresql_tables.sql table and indexes; HikariCP 16, autoCommit on;"
              + " scheduleBatch(...) for batches, schedule(...) one per call; data in the instance id";
        }

        @Override
        public void install(Server server) throws Exception {
          server.execute(
              "create table if not exists "
                  + TABLE
                  + " (task_name text not null,"
                  + " task_instance text not null, task_data bytea, execution_time timestamptz not null,"
                  + " picked boolean not null, picked_by text, last_success timestamptz, last_failure timestamptz,"
                  + " consecutive_failures int, last_heartbeat timestamptz, version bigint not null, priority smallint,"
                  + " primary key (task_name, task_instance))");
          server.execute(
              "create index if not exists "
                  + TABLE
                  + "_execution_time_idx on "
                  + TABLE
                  + " (execution_time)");
          server.execute(
              "create index if not exists "
                  + TABLE
                  + "_last_heartbeat_idx on "
                  + TABLE
                  + " (last_heartbeat)");
          server.execute(
              "create index if not exists "
                  + TABLE
                  + "_priority_execution_time_idx on "
                  + TABLE
                  + " (priority desc, execution_time asc)");
        }

        @Override
        public void clear(Server server) throws Exception {
          server.execute("truncate " + TABLE);
        }

        @Override
        public List<String> tables() {
          return List.of(TABLE);
        }

        @Override
        public long unfinished(Server server) throws Exception {
          return server.count("select count(*) from " + TABLE);
        }

        @Override
        public Contender open(Server server, Work work, Tally tally) {
          return new DbSchedulerContender(server, work, tally);
        }
      };

  private boolean closed;
  private final HikariDataSource pool;
  private final OneTimeTask<Void> task;
  private final SchedulerClient client;
  private Scheduler scheduler;

  private DbSchedulerContender(Server server, Work work, Tally tally) {
    pool = Pools.hikari(server, "db-scheduler", true);
    task =
        Tasks.oneTime("bench")
            .execute(
                (instance, context) -> {
                  String id = instance.getId();
                  int colon = id.indexOf(':');
                  int job = Integer.parseInt(id.substring(0, colon));
                  tally.started(job, Long.parseLong(id.substring(colon + 1)));
                  if (work == Work.WRITE_ROW) {
                    writeRow(job);
                  }
                  tally.finished();
                });
    client = SchedulerClient.Builder.create(pool, task).tableName(TABLE).build();
  }

  private void writeRow(int job) {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("insert into bench_q_side(job_id) values (?)")) {
      ps.setInt(1, job);
      ps.executeUpdate();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(
          "db-scheduler handler could not write its row: " + e.getMessage(), e);
    }
  }

  private TaskInstance<Void> instance(Item item) {
    return task.instance(item.id() + ":" + item.enqueuedNanos());
  }

  @Override
  public void enqueueBatch(List<Item> items) {
    List<TaskInstance<?>> instances = new ArrayList<>(items.size());
    items.forEach(i -> instances.add(instance(i)));
    client.scheduleBatch(instances, Instant.now());
  }

  @Override
  @SuppressWarnings(
      "deprecation") // 16.7 deprecates schedule(instance) for schedule(instance, options); same SQL
  public void enqueueOne(Item item) {
    (scheduler != null ? scheduler : client)
        .schedule(SchedulableInstance.of(instance(item), Instant.now()));
  }

  @Override
  public void start() {
    scheduler =
        Scheduler.create(pool, task)
            .tableName(TABLE)
            .threads(16)
            .pollUsingLockAndFetch(1.0, 4.0)
            .enableImmediateExecution()
            .build();
    scheduler.start();
  }

  @Override
  public void stop() {
    if (scheduler != null) {
      scheduler.stop();
      scheduler = null;
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
    pool.close();
  }
}
