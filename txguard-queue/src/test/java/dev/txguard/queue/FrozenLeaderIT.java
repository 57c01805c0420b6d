package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.LogCapture;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Newcomer review, session 17: a maintenance leader whose process is frozen (SIGSTOP here; a
 * suspended VM or a debugger alike) keeps its session, so the server keeps its leader lock for
 * good, and nothing rescued the jobs whose leases expired nor ran the schedules: another worker
 * started beside it waited 80 s and rescued nothing. Now a process that tries to lead ends the
 * session of a leader that has sent nothing for longer than a lease, takes leadership and rescues
 * the frozen process's jobs; a live leader, which checks its session every election period, is not
 * deposed.
 */
@TxguardTest(queue = false)
class FrozenLeaderIT {
  @Injected static TestDatabase pg;

  static final int JOBS = 8; // the worker's concurrency: it runs them all when it is frozen

  @Test
  void aFrozenLeaderIsDeposedAndItsExpiredLeasesAreRescuedByTheNextLeader() throws Exception {
    List<String> lines = QueueFixture.newLines();
    Process frozen = null;
    try (Database db = QueueFixture.db(pg, 6)) {
      JobQueue producer =
          JobQueue.builder(db).schema("frozen").declare("nap", WorkerProcess.Nap.class).build();
      producer.migrate();
      frozen =
          QueueFixture.startJvm(
              WorkerProcess.class,
              ProcessBuilder.Redirect.INHERIT,
              lines,
              pg.url(),
              pg.user(),
              pg.password(),
              "frozen",
              "w0");
      await(
          "w0 ready and leading", () -> lines.contains("READY w0") && lines.contains("LEADER w0"));
      for (int n = 0; n < JOBS; n++) {
        producer.enqueue(new WorkerProcess.Nap(n));
      }
      await("w0 runs every job", () -> runningBy("w0") == JOBS, () -> runningBy("w0") + " running");
      signal(frozen, "STOP");

      LogCapture capture = LogCapture.start();
      String log;
      JobQueue next =
          QueueFixture.builder(pg, db, "frozen")
              .owner("b")
              .leaseDuration(Duration.ofSeconds(2))
              .maintenanceInterval(Duration.ofMillis(100))
              .handle("nap", WorkerProcess.Nap.class, job -> "rescued")
              .queue("default", JOBS)
              .build();
      try {
        QueueFixture.start(next);
        await("b leads while w0 is frozen", next::isLeader, () -> lines);
        await(
            "w0's jobs rescued and completed by b",
            () -> completed() == JOBS,
            () -> completed() + " completed, " + runningBy("w0") + " still running by w0");
        log = capture.stop();

        signal(frozen, "CONT");
        long leaderSeen = lines.stream().filter("LEADER w0"::equals).count();
        // w0 resumes with its session ended; b's session stays fresh, so w0 does not depose it: b
        // leads across three times the stale time (2 s: w0's lease) as w0 retries the election
        for (int i = 0; i < 30; i++) {
          assertThat(next.isLeader()).as("b leads %d ms after w0 resumed", i * 200).isTrue();
          Thread.sleep(200);
        }
        assertThat(lines.stream().filter("LEADER w0"::equals).count()).isEqualTo(leaderSeen);
      } finally {
        capture.stop();
        next.stop(Duration.ofSeconds(10));
      }

      assertThat(log)
          .contains("b ended the session of the maintenance leader of queue schema frozen (")
          .contains("so its process has stopped (frozen, suspended, or paused)");
      for (List<Object> row : pg.query("select id from frozen.job")) {
        Job job = producer.find(((Number) row.getFirst()).longValue()).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.COMPLETED);
        assertThat(job.errors())
            .singleElement()
            .satisfies(e -> assertThat(e.error()).startsWith("lease of w0 expired at "));
      }
    } finally {
      if (frozen != null) {
        signal(frozen, "CONT");
        frozen.destroyForcibly();
        frozen.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  static long runningBy(String owner) throws Exception {
    return pg.queryLong(
        "select count(*) from frozen.job where state = 'running' and lease_owner = '"
            + owner
            + "'");
  }

  static long completed() throws Exception {
    return pg.queryLong("select count(*) from frozen.job where state = 'completed'");
  }

  /** Sends a job-control signal to the worker JVM (Linux {@code kill}). */
  static void signal(Process p, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
    assertThat(kill.waitFor(30, TimeUnit.SECONDS)).as("kill -%s ended", signal).isTrue();
    assertThat(kill.exitValue()).as("kill -%s's exit status", signal).isZero();
  }
}
