package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static dev.txguard.queue.QueueFixture.awaitProgress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Three worker JVMs work one queue; the maintenance leader among them is killed with SIGKILL
 * half-way. Leadership moves, the dead worker's jobs are rescued, and every job completes with its
 * row written exactly once; no job is left running.
 */
@TxguardTest(queue = false)
class MultiProcessIT {
  @Injected static TestDatabase pg;
  static final int JOBS = 20_000;
  static final List<Process> processes = new CopyOnWriteArrayList<>();
  static final Map<String, List<String>> output = new ConcurrentHashMap<>();

  @AfterAll
  static void tearDown() {
    processes.forEach(Process::destroyForcibly);
  }

  static Process worker(String name) throws Exception {
    List<String> lines = QueueFixture.newLines();
    output.put(name, lines);
    Process p =
        QueueFixture.startJvm(
            WorkerProcess.class,
            ProcessBuilder.Redirect.INHERIT,
            lines,
            pg.url(),
            pg.user(),
            pg.password(),
            "multi",
            name);
    processes.add(p);
    return p;
  }

  static boolean said(String name, String word) {
    return output.get(name).stream().anyMatch(l -> l.startsWith(word));
  }

  @Test
  void threeWorkerJvmsOneKilledHalfWayEveryJobCompletesWithItsRowExactlyOnce() throws Exception {
    pg.execute(
        "create table processed (job_id bigint primary key, n int not null, worker text not null)");
    try (Database db = QueueFixture.db(pg, 4)) {
      JobQueue producer =
          JobQueue.builder(db).schema("multi").declare("row", WorkerProcess.Row.class).build();
      producer.migrate();
      long start = System.nanoTime();
      List<String> names = List.of("w0", "w1", "w2");
      List<Process> workers = new ArrayList<>();
      for (String name : names) {
        workers.add(worker(name));
      }
      await("three workers ready", () -> names.stream().allMatch(n -> said(n, "READY")));
      await("a leader", () -> names.stream().anyMatch(n -> said(n, "LEADER")));
      List<WorkerProcess.Row> batch = new ArrayList<>();
      for (int n = 0; n < JOBS; n++) {
        batch.add(new WorkerProcess.Row(n));
        if (batch.size() == 1000) {
          producer.enqueueAll(batch, EnqueueOptions.defaults());
          batch.clear();
        }
      }
      awaitProgress("half of the jobs completed", MultiProcessIT::completed, JOBS / 2);
      int victim =
          names.indexOf(names.stream().filter(n -> said(n, "LEADER")).findFirst().orElseThrow());
      workers.get(victim).destroyForcibly(); // SIGKILL: no shutdown hook, no graceful stop
      assertThat(workers.get(victim).waitFor(30, TimeUnit.SECONDS)).isTrue();
      long killedAt = completed();
      await(
          "leadership moved to a live worker",
          () ->
              names.stream()
                  .filter(n -> !n.equals(names.get(victim)))
                  .anyMatch(n -> said(n, "LEADER")));
      awaitProgress("every job completed", MultiProcessIT::completed, JOBS);
      long ms = (System.nanoTime() - start) / 1_000_000;

      assertThat(pg.queryLong("select count(*) from processed")).isEqualTo(JOBS);
      assertThat(
              pg.queryLong("select count(*) from multi.job j join processed p on p.job_id = j.id"))
          .isEqualTo(JOBS);
      assertThat(pg.queryLong("select count(distinct n) from processed")).isEqualTo(JOBS);
      assertThat(pg.queryLong("select count(*) from multi.job where state <> 'completed'"))
          .isZero();
      assertThat(pg.queryLong("select count(*) from multi.job where state = 'running'")).isZero();
      long rescued = pg.queryLong("select count(*) from multi.job where attempt > 1");
      System.out.printf(
          "many processes: %d jobs over 3 worker JVMs in %d ms; %s (the leader) killed with SIGKILL"
              + " at %d completed; %d jobs rescued and run again; rows per worker: %s%n",
          JOBS, ms, names.get(victim), killedAt, rescued, rowsPerWorker(db));

      for (int i = 0; i < workers.size(); i++) {
        if (i != victim) {
          workers.get(i).getOutputStream().close(); // graceful stop
          assertThat(workers.get(i).waitFor(30, TimeUnit.SECONDS)).isTrue();
          assertThat(workers.get(i).exitValue()).isZero();
        }
      }
    }
  }

  static long completed() throws Exception {
    return pg.queryLong("select count(*) from multi.job where state = 'completed'");
  }

  static Map<String, Long> rowsPerWorker(Database db) {
    Map<String, Long> rows = new java.util.TreeMap<>();
    db.useTx(
        tx ->
            tx.query(
                "select worker, count(*) from processed group by worker",
                rs -> rows.put(rs.getString(1), rs.getLong(2))));
    return rows;
  }
}
