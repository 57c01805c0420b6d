package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a leak report prints its stack: no database, synthetic frames. */
class LeakReportTest {
  static StackTraceElement frame(String cls, String method) {
    return new StackTraceElement(cls, method, cls + ".java", 1);
  }

  @Test
  void aCallbackUnitsStackIsSplitIntoWhereItIsNowAndWhoOpenedIt() {
    List<StackTraceElement> stack =
        List.of(
            frame("java.lang.Thread", "sleep"),
            frame("java.util.ImmutableCollections$ListN", "forEach"),
            frame("com.shop.Orders", "lambda$place$0"),
            frame("dev.txguard.internal.Engine", "run"),
            frame("dev.txguard.Database", "inTx"),
            frame("com.shop.Orders", "place"),
            frame("com.shop.Api", "post"));

    String text =
        new LeakReport("place-order", Duration.ofSeconds(70), "http-1", stack, false).describe();

    assertThat(text)
        .startsWith("unit 'place-order' open for 70000 ms on thread http-1, now at:")
        .containsSubsequence(
            "now at:",
            "\tat java.lang.Thread.sleep",
            "\tat dev.txguard.Database.inTx",
            "\n  opened at:",
            "\tat com.shop.Orders.place",
            "\tat com.shop.Api.post");
    assertThat(text.substring(text.indexOf("opened at:"))).doesNotContain("ImmutableCollections");
  }

  @Test
  void aManualHandlesStackIsAllOpenedAt() {
    List<StackTraceElement> stack =
        List.of(frame("com.shop.Orders", "begin"), frame("com.shop.Api", "post"));

    String text = new LeakReport("manual", Duration.ofSeconds(1), "t", stack, true).describe();

    assertThat(text)
        .contains("rolled back, opened at:\n\tat com.shop.Orders.begin")
        .doesNotContain("now at:");
  }
}
