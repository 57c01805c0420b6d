package dev.txguard.cli.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's results: the closing table for people, JSON for machines.
 *
 * @param seed the seed that replays the run ({@code --seed})
 * @param server the server the demo ran on, as shown to the user
 * @param embedded whether it was the embedded server
 * @param stories the stories as they ran, in order
 * @param elapsed the whole run, server start included
 */
public record DemoReport(
    long seed, String server, boolean embedded, List<StoryResult> stories, Duration elapsed) {
  /** The table's width: it fits a 100-column terminal. */
  public static final int WIDTH = 99;

  private static final int NUMBER = 2;
  private static final int STORY = 15;
  private static final int OUTCOME = 32;
  private static final int VERDICT = 14;

  /** Copies the stories. */
  public DemoReport {
    stories = List.copyOf(stories);
  }

  /** Whether every txguard variant held. */
  public boolean held() {
    return stories.stream().allMatch(StoryResult::held);
  }

  /** The stories whose txguard variant did not hold. */
  public List<StoryResult> failing() {
    return stories.stream().filter(s -> !s.held()).toList();
  }

  /** How many naive variants showed their fault. */
  public long naiveFaults() {
    return stories.stream().filter(StoryResult::naiveShowedFault).count();
  }

  // ---- text -------------------------------------------------------------------------------------

  /** The closing table, each line at most {@link #WIDTH} characters, then a one-line summary. */
  public String table() {
    StringBuilder sb = new StringBuilder();
    row(sb, "#", "story", "naive", "txguard", "verdict");
    sb.append("-".repeat(WIDTH)).append('\n');
    for (StoryResult s : stories) {
      row(
          sb,
          String.valueOf(s.story().number()),
          s.story().id(),
          s.naive().brief(),
          s.txguard().brief(),
          s.verdict());
    }
    sb.append("-".repeat(WIDTH)).append('\n');
    wrap(summary(), WIDTH).forEach(line -> sb.append(line).append('\n'));
    return sb.toString();
  }

  /** One sentence: how many held, how many naive faults showed, time and seed. */
  public String summary() {
    String ids = String.join(", ", failing().stream().map(s -> s.story().id()).toList());
    String held;
    String naive;
    if (stories.size() == 1) {
      held = held() ? "The txguard variant held" : "The txguard variant FAILED (" + ids + ")";
      naive =
          naiveFaults() == 1
              ? "the naive variant showed its fault"
              : "the naive variant did not show its fault";
    } else {
      held =
          held()
              ? "All " + stories.size() + " txguard variants held"
              : failing().size()
                  + " of "
                  + stories.size()
                  + " txguard variants FAILED ("
                  + ids
                  + ")";
      naive = naiveFaults() + " of " + stories.size() + " naive variants showed their fault";
    }
    return String.format(
        Locale.ROOT, "%s; %s. %.1f s, seed %d.", held, naive, elapsed.toMillis() / 1000.0, seed);
  }

  private static void row(
      StringBuilder sb, String number, String story, String naive, String txguard, String verdict) {
    List<String> n = wrap(naive, OUTCOME);
    List<String> t = wrap(txguard, OUTCOME);
    int lines = Math.max(n.size(), t.size());
    for (int i = 0; i < lines; i++) {
      String line =
          pad(i == 0 ? number : "", NUMBER)
              + " "
              + pad(i == 0 ? story : "", STORY)
              + " "
              + pad(i < n.size() ? n.get(i) : "", OUTCOME)
              + " "
              + pad(i < t.size() ? t.get(i) : "", OUTCOME)
              + " "
              + (i == 0 ? verdict : "");
      sb.append(line.stripTrailing()).append('\n');
    }
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }

  /** Breaks {@code text} into lines of at most {@code width} characters, at spaces where it can. */
  public static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      while (word.length() > width) {
        if (!line.isEmpty()) {
          lines.add(line.toString());
          line.setLength(0);
        }
        lines.add(word.substring(0, width));
        word = word.substring(width);
      }
      if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (!line.isEmpty()) {
        line.append(' ');
      }
      line.append(word);
    }
    if (!line.isEmpty() || lines.isEmpty()) {
      lines.add(line.toString());
    }
    return lines;
  }

  // ---- JSON -------------------------------------------------------------------------------------

  /**
   * The report as a JSON tree: seed, server, elapsedMillis, held, naiveFaults, failing (ids), and
   * per story its number, id, title, naive and txguard variants (finished, faultShown, outcome,
   * detail, elapsedMillis, error, counts), naiveShowedFault, held and verdict.
   */
  public ObjectNode toJson(ObjectMapper mapper) {
    ObjectNode root = mapper.createObjectNode();
    root.put("seed", seed);
    ObjectNode srv = root.putObject("server");
    srv.put("mode", embedded ? "embedded" : "url");
    srv.put("description", server);
    root.put("elapsedMillis", elapsed.toMillis());
    root.put("held", held());
    root.put("naiveFaults", naiveFaults());
    ArrayNode failing = root.putArray("failing");
    failing().forEach(s -> failing.add(s.story().id()));
    ArrayNode list = root.putArray("stories");
    for (StoryResult s : stories) {
      ObjectNode node = list.addObject();
      node.put("number", s.story().number());
      node.put("id", s.story().id());
      node.put("title", s.story().title());
      node.set("naive", variant(mapper, s.naive()));
      node.set("txguard", variant(mapper, s.txguard()));
      node.put("naiveShowedFault", s.naiveShowedFault());
      node.put("held", s.held());
      node.put("verdict", s.verdict());
    }
    return root;
  }

  private static ObjectNode variant(ObjectMapper mapper, StoryResult.VariantResult v) {
    ObjectNode node = mapper.createObjectNode();
    node.put("variant", v.variant().label());
    node.put("finished", v.error() == null);
    node.put("faultShown", v.error() == null && v.measurement().faultShown());
    node.put("outcome", v.brief());
    node.put("detail", v.detail());
    node.put("elapsedMillis", v.elapsed().toMillis());
    if (v.error() != null) {
      node.put("error", v.error());
    } else {
      node.putNull("error");
    }
    ObjectNode counts = node.putObject("counts");
    if (v.measurement() != null) {
      v.measurement().counts().forEach(counts::put);
    }
    return node;
  }
}
