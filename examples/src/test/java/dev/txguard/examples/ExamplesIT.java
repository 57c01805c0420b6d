package dev.txguard.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every example program runs to its end against a real PostgreSQL and prints what it did. */
@TxguardTest
class ExamplesIT {
  @Injected static TestDatabase tdb;

  /** The test database as one JDBC URL, the way a user passes it to an example. */
  static String url(TestDatabase tdb) {
    String url =
        tdb.url()
            + (tdb.url().contains("?") ? "&" : "?")
            + "user="
            + URLEncoder.encode(tdb.user(), StandardCharsets.UTF_8);
    return tdb.password().isEmpty()
        ? url
        : url + "&password=" + URLEncoder.encode(tdb.password(), StandardCharsets.UTF_8);
  }

  private static String run(String name) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      RunExample.PROGRAMS.get(name).main(new String[] {url(tdb)});
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void firstExamplePlacesAnOrderAndConfirmsItAfterCommit() throws Exception {
    String out = run("first");
    assertThat(out)
        .containsPattern("order \\d+ confirmed")
        .containsPattern("placed order \\d+; 9 of A-1 left");
  }

  @Test
  void queueWorkerCompletesEveryJobInTheUnitOfItsWork() throws Exception {
    String out = run("queue-worker");
    assertThat(out.lines().filter(l -> l.matches("job \\d+: COMPLETED"))).as(out).hasSize(3);
    assertThat(tdb.queryLong("select count(*) from invoiced_order where invoiced")).isEqualTo(3);
  }

  @Test
  void callAndWaitGetsTheJobsResultInsideAUnitOnAPoolOfOne() throws Exception {
    assertThat(run("call-and-wait")).contains("3 items cost 29.70");
  }

  @Test
  void cancelAndWaitStopsTheGroupAndWaitsForItsRunningJobs() throws Exception {
    String out = run("cancel-and-wait");
    assertThat(out).as(out).contains("0 still running");
    assertThat(out.lines().filter(l -> l.matches("job \\d+: CANCELLED"))).as(out).hasSize(5);
  }

  @Test
  void periodicJobsRunOnTheirSchedule() throws Exception {
    assertThat(run("periodic-jobs")).contains("2 ticks ran");
  }

  @Test
  void theLauncherKnowsEveryExample() {
    assertThat(RunExample.PROGRAMS)
        .containsOnlyKeys(
            "first", "queue-worker", "call-and-wait", "cancel-and-wait", "periodic-jobs");
  }
}
