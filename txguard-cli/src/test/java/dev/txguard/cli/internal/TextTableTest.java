package dev.txguard.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a text table may cut: identifiers and timestamps never (an operator copies them into the
 * next command), free text ({@code ~} columns) to keep the line within 100 columns.
 */
class TextTableTest {
  static final String LONG_QUEUE = "queue-with-a-long-name-" + "q".repeat(40);
  static final String LONG_GROUP = "group-with-a-long-name-" + "g".repeat(40);
  static final String CREATED = "2026-12-02 18:21:07Z";

  @Test
  void identifiersAndTimestampsAreNeverCutEvenPastTheWidth() {
    List<String> lines =
        new TextTable(">id", "state", "kind", "queue", ">attempt", "created", "group")
            .row(42L, "available", "import-products", LONG_QUEUE, "0/5", CREATED, LONG_GROUP)
            .lines();

    assertThat(lines.get(1))
        .doesNotContain("...")
        .contains(LONG_QUEUE, LONG_GROUP, CREATED, "import-products", "42");
    assertThat(lines.get(1).length()).isGreaterThan(TextTable.WIDTH);
  }

  @Test
  void freeTextIsCutToKeepTheLineWithinTheWidth() {
    String outcome = "not retried: " + "x".repeat(200);
    List<String> lines = new TextTable(">id", "~outcome").row(7L, outcome).lines();

    assertThat(lines.get(0)).isEqualTo("id  outcome");
    assertThat(lines.get(1))
        .hasSize(TextTable.WIDTH)
        .startsWith(" 7  not retried: xxx")
        .endsWith("...");
  }

  @Test
  void onlyTheFreeTextGivesWayNextToALongIdentifier() {
    String owner = "worker-" + "w".repeat(60);
    String error = "java.lang.IllegalStateException: " + "e".repeat(80);
    List<String> lines = new TextTable("owner", "~error").row(owner, error).lines();

    assertThat(lines.get(1)).startsWith(owner + "  java.lang.").endsWith("...");
    assertThat(lines.get(1)).hasSize(TextTable.WIDTH);
  }

  @Test
  void aTableWithinTheWidthIsUnchanged() {
    List<String> lines =
        new TextTable(">id", "~outcome", "queue").row(1L, "cancelled", "default").lines();

    assertThat(lines).containsExactly("id  outcome    queue", " 1  cancelled  default");
  }
}
