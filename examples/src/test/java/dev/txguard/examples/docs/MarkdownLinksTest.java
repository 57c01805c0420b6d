package dev.txguard.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of every Markdown file in the repository resolves: the file or directory
 * exists, and an anchor ({@code file.md#section}, {@code #section}) names one of the target's
 * headings, slugged the way GitHub slugs them. Links inside code are not links.
 */
class MarkdownLinksTest {
  private static final Pattern LINK =
      Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

  private final Path root = DocSources.root();

  @Test
  void everyRelativeLinkAndAnchorResolves() throws IOException {
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path file : DocSources.allMarkdown(root)) {
      for (String target : links(file)) {
        if (target.matches("^[a-zA-Z][a-zA-Z+.-]*:.*")) {
          continue; // https:, mailto: ...: not checked offline
        }
        checked++;
        String problem = problem(file, target);
        if (problem != null) {
          broken.add(root.relativize(file) + ": " + target + " (" + problem + ")");
        }
      }
    }
    assertThat(broken).as("broken links").isEmpty();
    assertThat(checked).as("relative links checked").isGreaterThanOrEqualTo(20);
  }

  @Test
  void headingsAreSluggedAsGitHubDoes() {
    assertThat(slug("The two commands")).isEqualTo("the-two-commands");
    assertThat(slug("Schema with Flyway or Liquibase"))
        .isEqualTo("schema-with-flyway-or-liquibase");
    assertThat(slug("`txguard queue show ID`")).isEqualTo("txguard-queue-show-id");
    assertThat(slug("Levels, pools & deadlocks")).isEqualTo("levels-pools--deadlocks");
  }

  @Test
  void aMissingFileAndAMissingAnchorAreBothFound() throws IOException {
    Path readme = root.resolve("README.md");
    assertThat(problem(readme, "docs/no-such-guide.md")).contains("no such file");
    assertThat(problem(readme, "#no-such-heading")).contains("no heading");
    assertThat(problem(readme, "docs/")).isNull();
  }

  private String problem(Path file, String target) throws IOException {
    int hash = target.indexOf('#');
    String path = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
    if (!resolved.startsWith(root)) {
      return "outside the repository";
    }
    if (!Files.exists(resolved)) {
      return "no such file";
    }
    if (anchor != null && !anchor.isEmpty()) {
      if (!resolved.toString().endsWith(".md")) {
        return "an anchor into a file that is not Markdown";
      }
      if (!anchors(resolved).contains(anchor)) {
        return "no heading with anchor #" + anchor + " in " + root.relativize(resolved);
      }
    }
    return null;
  }

  /** The link targets of a Markdown file, outside fenced blocks and inline code. */
  private static List<String> links(Path file) throws IOException {
    List<String> targets = new ArrayList<>();
    boolean fenced = false;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.strip().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        continue;
      }
      Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", "``"));
      while (m.find()) {
        targets.add(m.group(1));
      }
    }
    return targets;
  }

  /** The anchors GitHub gives the headings of a Markdown file (duplicates get -1, -2, ...). */
  private static Set<String> anchors(Path file) throws IOException {
    Set<String> anchors = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.strip().startsWith("```")) {
        fenced = !fenced;
      }
      Matcher h = HEADING.matcher(line);
      if (!fenced && h.matches()) {
        String slug = slug(h.group(1));
        int n = seen.merge(slug, 1, Integer::sum);
        anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
      }
    }
    return anchors;
  }

  /** GitHub's heading slug: lower case, punctuation dropped, each space a hyphen. */
  static String slug(String heading) {
    String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
    return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
  }
}
