package dev.txguard.bench.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue benchmark's smoke mode, end to end on its own embedded PostgreSQL: a correctness check
 * of the harness (every contender ran every job exactly once, every phase produced its numbers),
 * never of speed.
 */
class QueueBenchSmokeIT {
  @Test
  void everyContenderRunsEveryJobExactlyOnceInEveryPhase(@TempDir Path out) throws Exception {
    List<String> contenders = new ArrayList<>(List.of("txguard", "db-scheduler", "jobrunr"));
    if (PgbenchLimit.available()) {
      contenders.add("pgbench");
    }
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    QueueReport report =
        QueueBench.run(
            List.of(
                "--smoke", "--contenders", String.join(",", contenders), "--out", out.toString()),
            new PrintStream(log, true, StandardCharsets.UTF_8));

    assertThat(report.failures()).as(log.toString(StandardCharsets.UTF_8)).isEmpty();
    List<Measured> all = report.all();
    for (String name : List.of("txguard-queue", "db-scheduler", "JobRunr")) {
      assertThat(all)
          .as(name)
          .filteredOn(m -> m.contender().equals(name))
          .extracting(Measured::phase)
          .contains("noop", "row", "latency", "idle");
      assertThat(all)
          .filteredOn(m -> m.contender().equals(name) && m.phase().equals("noop"))
          .singleElement()
          .satisfies(
              m -> {
                assertThat(m.jobs()).isEqualTo(200);
                assertThat(m.jobsPerSecond()).isPositive();
                assertThat(m.check()).isEmpty();
              });
    }
    assertThat(all)
        .filteredOn(m -> m.phase().startsWith("throttle-"))
        .extracting(Measured::phase)
        .contains(
            "throttle-row-alone",
            "throttle-with-job",
            "throttle-with-second-row",
            "throttle-with-db-scheduler");
    // each variant's stretch found exactly the rows its transactions committed (business rows,
    // jobs, second rows, db-scheduler executions)
    assertThat(all)
        .filteredOn(m -> m.phase().startsWith("throttle-"))
        .allSatisfy(m -> assertThat(m.check()).isEmpty());
    assertThat(all)
        .filteredOn(m -> m.phase().equals("idle-baseline"))
        .singleElement()
        .satisfies(m -> assertThat(m.contender()).isEqualTo(Phases.SERVER_ALONE));
    assertThat(Files.readString(out.resolve("queue-report.md")))
        .contains("| idle: transactions/s less the server's own (")
        .doesNotContain("| " + Phases.SERVER_ALONE + " |");
    assertThat(Files.readAllLines(out.resolve("queue-results.tsv"))).hasSize(all.size() + 1);
    assertThat(Files.readString(out.resolve("queue-report.md")))
        .contains("| no-op worked, jobs/s |");
  }

  @Test
  void theSharePhaseRunsEveryClaimSettingAndCountsWhatAKilledProcessStrands(@TempDir Path out)
      throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    QueueReport report =
        QueueBench.run(
            List.of(
                "--smoke", "--only", "share", "--contenders", "txguard", "--out", out.toString()),
            new PrintStream(log, true, StandardCharsets.UTF_8));

    String text = log.toString(StandardCharsets.UTF_8);
    assertThat(report.failures()).as(text).isEmpty();
    for (Share.Claims c : Share.CLAIMS) {
      assertThat(report.all()).as(text).extracting(Measured::phase).contains("share " + c.label());
    }
    String largest = Share.CLAIMS.getLast().label();
    assertThat(report.all())
        .as(text)
        .extracting(Measured::phase)
        .contains("share-death " + largest, "share-death-backlog " + largest);
    String table = Files.readString(out.resolve("share-report.md"));
    assertThat(table).contains("| 112 / 128 | 1 |").contains("| backlog | 112 / 128 |");
  }
}
