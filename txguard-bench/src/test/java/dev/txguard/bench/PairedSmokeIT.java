package dev.txguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paired run's smoke mode end to end on an embedded PostgreSQL of its own: every contender ran
 * one slice per cycle, no unit failed, every pair got its ratio. A check of the harness, never of
 * speed.
 */
class PairedSmokeIT {
  @Test
  void everyContenderRunsOneSlicePerCycleAndEveryPairGetsARatio(@TempDir Path out)
      throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      System.setProperty(
          BenchSetup.URL_PROPERTY,
          "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres?user=postgres");
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      Paired.Result result;
      try {
        result =
            Paired.run(
                List.of(
                    "--smoke",
                    "--only",
                    "write",
                    "--threads",
                    "2",
                    "--cycles",
                    "3",
                    "--slice-ms",
                    "50",
                    "--out",
                    out.toString()),
                new PrintStream(log, true, StandardCharsets.UTF_8));
      } finally {
        System.clearProperty(BenchSetup.URL_PROPERTY);
      }

      String printed = log.toString(StandardCharsets.UTF_8);
      assertThat(result.failures()).as(printed).isZero();
      assertThat(result.slices()).hasSize(9);
      for (String contender : List.of("jdbc", "txguard", "txguard-unresolved")) {
        assertThat(result.slices())
            .as(contender)
            .filteredOn(s -> s.contender().equals(contender))
            .extracting(Paired.Slice::cycle)
            .containsExactlyInAnyOrder(0, 1, 2);
      }
      assertThat(result.slices()).allSatisfy(s -> assertThat(s.units()).isPositive());
      assertThat(result.pairs())
          .extracting(p -> p.numerator() + "/" + p.denominator())
          .containsExactly("txguard/jdbc", "txguard-unresolved/jdbc", "txguard/txguard-unresolved");
      assertThat(result.pairs()).allSatisfy(p -> assertThat(p.summary().cycles()).isEqualTo(3));
      assertThat(Files.readAllLines(out.resolve("paired-slices.tsv"))).hasSize(10);
      assertThat(Files.readString(out.resolve("paired-report.md")))
          .contains("| write | 2 | txguard ÷ jdbc | 3 |");
    }
  }
}
