package dev.txguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.txguard.cli.internal.DemoReport;
import dev.txguard.cli.internal.Measurement;
import dev.txguard.cli.internal.Stories;
import dev.txguard.cli.internal.StoryResult;
import dev.txguard.cli.internal.StoryResult.VariantResult;
import dev.txguard.cli.internal.Variant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's table and JSON shape, from made-up results. */
class DemoReportTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static VariantResult measured(Variant variant, boolean fault, String brief) {
    Measurement m =
        Measurement.collect()
            .put("things", 3)
            .put("broken", fault ? 2 : 0)
            .measured(fault, brief, brief + ", in a longer sentence");
    return new VariantResult(variant, m, Duration.ofMillis(1234), null);
  }

  /** Story 1 holds with its fault shown, 2 holds without, 3 fails, 4 did not finish, 5 holds. */
  private static DemoReport report() {
    List<StoryResult> results = new ArrayList<>();
    var all = Stories.all();
    results.add(
        new StoryResult(
            all.get(0),
            measured(Variant.NAIVE, true, "5 half-written, 10 done twice"),
            measured(Variant.TXGUARD, false, "0 half-written, 0 done twice")));
    results.add(
        new StoryResult(
            all.get(1),
            measured(Variant.NAIVE, false, "0 tasks stuck running"),
            measured(Variant.TXGUARD, false, "0 tasks stuck running")));
    results.add(
        new StoryResult(
            all.get(2),
            measured(Variant.NAIVE, true, "31 of 40 timed out, 4 tx open"),
            measured(Variant.TXGUARD, true, "2 of 40 timed out, 0 tx open")));
    results.add(
        new StoryResult(
            all.get(3),
            measured(Variant.NAIVE, true, "50 of 100 products lost"),
            new VariantResult(
                Variant.TXGUARD,
                null,
                Duration.ofSeconds(60),
                "no result within the hard limit of 60 s")));
    results.add(
        new StoryResult(
            all.get(4),
            measured(Variant.NAIVE, true, "3 of 3 deadlocked"),
            measured(Variant.TXGUARD, false, "0 of 3 deadlocked")));
    return new DemoReport(
        42, "embedded PostgreSQL 17.11", true, results, Duration.ofMillis(15_300));
  }

  @Test
  void jsonHasTheRunTheVerdictsAndEveryCount() {
    JsonNode json = report().toJson(MAPPER);

    assertThat(json.get("seed").asLong()).isEqualTo(42);
    assertThat(json.get("server").get("mode").asText()).isEqualTo("embedded");
    assertThat(json.get("elapsedMillis").asLong()).isEqualTo(15_300);
    assertThat(json.get("held").asBoolean()).isFalse();
    assertThat(json.get("naiveFaults").asInt()).isEqualTo(4);
    assertThat(json.get("failing"))
        .extracting(JsonNode::asText)
        .containsExactly("leaked-tx", "aborted-import");
    JsonNode stories = json.get("stories");
    assertThat(stories).hasSize(5);
    JsonNode first = stories.get(0);
    assertThat(first.get("number").asInt()).isEqualTo(1);
    assertThat(first.get("id").asText()).isEqualTo("complete-job");
    assertThat(first.get("verdict").asText()).isEqualTo("held");
    assertThat(first.get("held").asBoolean()).isTrue();
    assertThat(first.get("naiveShowedFault").asBoolean()).isTrue();
    JsonNode naive = first.get("naive");
    assertThat(naive.get("variant").asText()).isEqualTo("naive");
    assertThat(naive.get("finished").asBoolean()).isTrue();
    assertThat(naive.get("faultShown").asBoolean()).isTrue();
    assertThat(naive.get("outcome").asText()).isEqualTo("5 half-written, 10 done twice");
    assertThat(naive.get("elapsedMillis").asLong()).isEqualTo(1234);
    assertThat(naive.get("error").isNull()).isTrue();
    assertThat(naive.get("counts").get("things").asLong()).isEqualTo(3);
    assertThat(naive.get("counts").get("broken").asLong()).isEqualTo(2);
    assertThat(stories.get(1).get("verdict").asText()).isEqualTo("held; no fault");
    assertThat(stories.get(2).get("verdict").asText()).isEqualTo("FAILED");
    JsonNode unfinished = stories.get(3).get("txguard");
    assertThat(unfinished.get("finished").asBoolean()).isFalse();
    assertThat(unfinished.get("error").asText()).contains("hard limit");
    assertThat(unfinished.get("counts").isEmpty()).isTrue();
  }

  @Test
  void tableFitsAHundredColumnsAndNamesEveryStory() {
    String table = report().table();

    assertThat(table.lines()).allMatch(l -> l.length() < 100);
    assertThat(table)
        .contains("complete-job", "stale-release", "leaked-tx", "aborted-import", "pool-deadlock");
    assertThat(table.lines().filter(l -> l.startsWith("3 ")).findFirst().orElseThrow())
        .endsWith("FAILED");
    assertThat(String.join(" ", table.lines().toList()))
        .contains(
            "2 of 5 txguard variants FAILED (leaked-tx,"
                + " aborted-import); 4 of 5 naive variants showed their fault. 15.3 s, seed 42.");
  }

  @Test
  void aOneStoryReportSpeaksOfOneVariantEach() {
    var story = Stories.all().get(2);
    DemoReport held =
        new DemoReport(
            7,
            "embedded PostgreSQL 17.11",
            true,
            List.of(
                new StoryResult(
                    story,
                    measured(Variant.NAIVE, true, "10 of 40 timed out"),
                    measured(Variant.TXGUARD, false, "0 of 40 timed out"))),
            Duration.ofMillis(9_500));
    DemoReport failed =
        new DemoReport(
            7,
            "embedded PostgreSQL 17.11",
            true,
            List.of(
                new StoryResult(
                    story,
                    measured(Variant.NAIVE, false, "0 of 40 timed out"),
                    measured(Variant.TXGUARD, true, "2 of 40 timed out"))),
            Duration.ofMillis(9_500));

    assertThat(held.summary())
        .isEqualTo("The txguard variant held; the naive variant showed its fault. 9.5 s, seed 7.");
    assertThat(failed.summary())
        .isEqualTo(
            "The txguard variant FAILED (leaked-tx); the naive variant did not show its fault. 9.5 s, seed 7.");
  }

  @Test
  void longOutcomesWrapInsideTheirColumn() {
    assertThat(DemoReport.wrap("a few words that do not fit in one short line", 12))
        .containsExactly("a few words", "that do not", "fit in one", "short line");
    assertThat(DemoReport.wrap("", 12)).containsExactly("");
    assertThat(DemoReport.wrap("abcdefghijklmnop", 6)).containsExactly("abcdef", "ghijkl", "mnop");
  }
}
