package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static dev.txguard.queue.QueueFixture.awaitProgress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The chaos suite's queue part (issue 14 item 8 b): transactional jobs worked by two worker JVMs
 * while their backends are killed at random ({@code pg_terminate_backend} every 20-100 ms) and one
 * worker JVM is killed with SIGKILL a third of the way through (a fresh one takes its place).
 * Asserts every job completed with its row written exactly once (nothing lost, nothing applied
 * twice: the row's primary key is the job id, so a second application would fail and show in the
 * job's errors), a completed job always has its row and a job with a row is completed (what the
 * queue says is true), and no job runs past its lease: none is left running, and none is seen
 * running more than 30 s past its lease's end while the run goes on.
 *
 * <p>Reduced size by default (part of {@code mvn -B verify}); the full size with {@code
 * -Dtxguard.chaos.full=true}. Prints its figures.
 */
@TxguardTest(queue = false)
class QueueChaosIT {
  static final boolean FULL = Boolean.getBoolean("txguard.chaos.full");
  static final String APP = "txguard-chaos-queue";
  @Injected static TestDatabase pg;
  static final List<Process> processes = new CopyOnWriteArrayList<>();
  static final Map<String, List<String>> output = new ConcurrentHashMap<>();

  @AfterAll
  static void tearDown() {
    processes.forEach(Process::destroyForcibly);
  }

  @Test
  void transactionalJobsWithBackendsKilledAndAWorkerJvmKilled() throws Exception {
    int jobs = FULL ? 20_000 : 1_000;
    pg.execute(
        "create table processed (job_id bigint primary key, n int not null, worker text not null)");
    Path log = Files.createTempFile("txguard-chaos-workers", ".log");
    AtomicLong kills = new AtomicLong();
    AtomicLong overrunSeen = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    try (Database db = QueueFixture.db(pg, 4)) {
      JobQueue producer =
          JobQueue.builder(db).schema("chaos").declare("row", WorkerProcess.Row.class).build();
      producer.migrate();
      List<Process> workers = new ArrayList<>(List.of(worker("w0", log), worker("w1", log)));
      await("two workers ready", () -> said("w0", "READY") && said("w1", "READY"));
      Thread killer =
          Thread.ofPlatform()
              .name("chaos-queue-killer")
              .start(() -> kill(stop, kills, overrunSeen));
      try {
        List<WorkerProcess.Row> batch = new ArrayList<>();
        for (int n = 0; n < jobs; n++) {
          batch.add(new WorkerProcess.Row(n));
          if (batch.size() == 500 || n == jobs - 1) {
            producer.enqueueAll(batch, EnqueueOptions.defaults().maxAttempts(1_000));
            batch.clear();
          }
        }
        awaitProgress("a third of the jobs completed", QueueChaosIT::completed, jobs / 3);
        workers.get(0).destroyForcibly(); // SIGKILL: no shutdown hook, no graceful stop
        assertThat(workers.get(0).waitFor(30, TimeUnit.SECONDS)).isTrue();
        workers.add(replacement(log));
        awaitProgress("every job completed", QueueChaosIT::completed, jobs);
      } finally {
        stop.set(true);
        killer.join();
      }
      long rows = pg.queryLong("select count(*) from processed");
      long completedWithoutRow =
          pg.queryLong(
              "select count(*) from chaos.job j where state = 'completed'"
                  + " and not exists (select from processed p where p.job_id = j.id)");
      long rowWithoutCompleted =
          pg.queryLong(
              "select count(*) from processed p join chaos.job j on j.id = p.job_id"
                  + " where j.state <> 'completed'");
      long duplicates =
          pg.queryLong("select count(*) from chaos.job where errors::text like '%23505%'");
      long running = pg.queryLong("select count(*) from chaos.job where state = 'running'");
      long retried = pg.queryLong("select count(*) from chaos.job where attempt > 1");
      long workerLogLines = Files.readAllLines(log).size();
      System.out.printf(
          "chaos (b) queue: jobs %d, completed %d, rows %d; backends killed %d, worker JVMs killed"
              + " with SIGKILL 1; jobs run more than once (retried or rescued) %d; duplicates %d; stuck jobs (running"
              + " at the end) %d; seen running more than 30 s past their lease %d; worker log lines %d%n",
          jobs,
          completed(),
          rows,
          kills.get(),
          retried,
          duplicates,
          running,
          overrunSeen.get(),
          workerLogLines);

      assertThat(rows).as("rows (one per job)").isEqualTo(jobs);
      assertThat(pg.queryLong("select count(distinct n) from processed")).isEqualTo(jobs);
      assertThat(completedWithoutRow).as("jobs told completed whose work is not there").isZero();
      assertThat(rowWithoutCompleted).as("jobs whose work is there but are not completed").isZero();
      assertThat(duplicates).as("jobs whose work was applied a second time").isZero();
      assertThat(running).as("jobs still running").isZero();
      assertThat(overrunSeen).as("jobs seen running more than 30 s past their lease").hasValue(0);
      assertThat(kills.get()).as("backends killed").isPositive();
      for (int i = 1; i < workers.size(); i++) {
        workers.get(i).getOutputStream().close(); // graceful stop
        assertThat(workers.get(i).waitFor(60, TimeUnit.SECONDS)).isTrue();
      }
    }
    Files.deleteIfExists(log); // kept when the run failed, for its stack traces
  }

  /**
   * Starts a worker in place of the killed one, as a supervisor would: its start may itself be hit
   * by the killer (its pool's first connection killed), so it is started again until one is ready,
   * at most five times.
   */
  private static Process replacement(Path log) throws Exception {
    for (int i = 2; i < 7; i++) {
      String name = "w" + i;
      Process p = worker(name, log);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!said(name, "READY") && p.isAlive() && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      if (said(name, "READY")) {
        return p;
      }
      p.destroyForcibly();
    }
    throw new AssertionError(
        "no replacement worker became ready in five starts; see the worker log");
  }

  /**
   * Kills a random worker backend every 20-100 ms, and watches for jobs running past their lease.
   */
  private static void kill(AtomicBoolean stop, AtomicLong kills, AtomicLong overrunSeen) {
    try (Connection c = pg.connect();
        Statement st = c.createStatement()) {
      while (!stop.get()) {
        Thread.sleep(ThreadLocalRandom.current().nextLong(20, 100));
        try (ResultSet rs =
            st.executeQuery(
                "select pg_terminate_backend(pid) from (select pid from pg_stat_activity"
                    + " where application_name = '"
                    + APP
                    // 1 s to finish connecting, or a loaded machine's new connections all die in
                    // their setup (BankChaosIT starved so in session 5)
                    + "' and backend_start < now() - interval '1 second'"
                    + " order by random() limit 1) k")) {
          if (rs.next() && rs.getBoolean(1)) {
            kills.incrementAndGet();
          }
        }
        try (ResultSet rs =
            st.executeQuery(
                "select count(*) from chaos.job where state = 'running'"
                    + " and lease_expires_at < now() - interval '30 seconds'")) {
          rs.next();
          overrunSeen.accumulateAndGet(rs.getLong(1), Math::max);
        }
      }
    } catch (SQLException | InterruptedException e) {
      throw new IllegalStateException("the chaos killer stopped: " + e, e);
    }
  }

  static Process worker(String name, Path log) throws Exception {
    String url = pg.url() + (pg.url().contains("?") ? "&" : "?") + "ApplicationName=" + APP;
    List<String> lines = QueueFixture.newLines();
    output.put(name, lines);
    Process p =
        QueueFixture.startJvm(
            WorkerProcess.class,
            ProcessBuilder.Redirect.appendTo(log.toFile()),
            lines,
            url,
            pg.user(),
            pg.password(),
            "chaos",
            name);
    processes.add(p);
    return p;
  }

  static boolean said(String name, String word) {
    return output.get(name).stream().anyMatch(l -> l.startsWith(word));
  }

  static long completed() throws Exception {
    return pg.queryLong("select count(*) from chaos.job where state = 'completed'");
  }
}
