package dev.txguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.txguard.cli.internal.ConnectionInfo;
import dev.txguard.cli.internal.DemoReport;
import dev.txguard.cli.internal.DemoServer;
import dev.txguard.cli.internal.Interruption;
import dev.txguard.cli.internal.Stories;
import dev.txguard.cli.internal.Story;
import dev.txguard.cli.internal.StoryResult;
import dev.txguard.cli.internal.StoryRunner;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code txguard demo}: the five stories, naive and with txguard, measured on a real PostgreSQL or
 * MariaDB.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Replays the stories of txguard's mission twice against a real PostgreSQL (or MariaDB): once written the naive"
          + " way the original code was, once with txguard, and reports what it measured.",
      "Without --url it starts an embedded PostgreSQL and deletes it afterwards; with --url (PostgreSQL or"
          + " MariaDB) it works in a schema of its own (txguard_demo_<random>) that it drops afterwards.",
      "Exit status: 0 when every txguard variant held, 1 when one did not, 2 for a bad invocation;"
          + " 143 (SIGTERM) or 130 (SIGINT) when interrupted, with a note saying so and no verdict."
    })
final class DemoCommand implements Callable<Integer> {
  /** A variant that runs longer than this is abandoned and reported. */
  static final Duration STORY_LIMIT = Duration.ofSeconds(60);

  @Spec private CommandSpec spec;

  @Parameters(
      paramLabel = "STORY",
      arity = "0..*",
      description =
          "Stories to run, by id or number (default: all): complete-job (1), stale-release (2),"
              + " leaked-tx (3), aborted-import (4), pool-deadlock (5); on MariaDB caught-deadlock (4) instead of"
              + " aborted-import.")
  private List<String> stories = new ArrayList<>();

  @Option(names = "--list", description = "Describe the stories and exit.")
  private boolean list;

  @Option(
      names = "--json",
      description =
          "Print a machine-readable report on standard output (progress goes to"
              + " standard error).")
  private boolean json;

  @Option(
      names = "--seed",
      paramLabel = "N",
      description =
          "Seed of the randomised parts, to replay a run"
              + " (default: random, printed in the report).")
  private Long seed;

  @Option(
      names = "--url",
      paramLabel = "JDBC_URL",
      description =
          "Run against this PostgreSQL or MariaDB instead"
              + " of an embedded PostgreSQL, e.g. jdbc:postgresql://localhost:5432/test or jdbc:mariadb://localhost:3306/test"
              + " (on MariaDB story 4 is caught-deadlock, its MariaDB form).")
  private String url;

  @Option(names = "--user", paramLabel = "USER", description = "User for --url.")
  private String user;

  @Option(names = "--password", paramLabel = "PASSWORD", description = "Password for --url.")
  private String password;

  private final List<Story> catalogue;

  /** A demo of {@code catalogue}: {@link Stories#all()}, or made-up stories in tests. */
  DemoCommand(List<Story> catalogue) {
    this.catalogue = List.copyOf(catalogue);
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConnectionInfo target = target();
    List<Story> selected = selectedStories(target);
    if (list) {
      if (json) {
        out.println(toJson(listJson(selected)));
      } else {
        printList(out, selected);
      }
      return 0;
    }
    long actualSeed = seed != null ? seed : new SecureRandom().nextLong();
    PrintWriter progressOut = json ? err : out;
    Consumer<String> progress =
        line -> {
          // once the JVM is stopping (SIGTERM, SIGINT) the stories fail because their server goes
          // away:
          // what they print then is noise, the interruption note says what happened
          if (!Interruption.jvmStopping()) {
            progressOut.println(line);
            progressOut.flush();
          }
        };
    DemoReport report;
    try (Interruption interruption = Interruption.noteOn(err)) {
      report = run(selected, target, actualSeed, progress);
    } catch (RuntimeException e) {
      if (Interruption.jvmStopping()) {
        return Interruption.STATUS;
      }
      throw e;
    }
    if (Interruption.jvmStopping()) {
      return Interruption.STATUS;
    }
    if (json) {
      out.println(toJson(report));
    } else {
      out.println();
      out.print(report.table());
    }
    out.flush();
    for (StoryResult failed : report.failing()) {
      err.println(
          "txguard: story "
              + failed.story().id()
              + " failed: txguard variant "
              + failed.txguard().detail());
    }
    return report.held() ? 0 : 1;
  }

  /**
   * The stories named on the command line, in MISSION.md order, or all of them; on a MariaDB {@code
   * target}, the demo's own catalogue is {@link Stories#mariaDb()}.
   */
  List<Story> selectedStories(ConnectionInfo target) {
    List<Story> catalogue =
        target != null && target.mariaDb() && this.catalogue.equals(Stories.all())
            ? Stories.mariaDb()
            : this.catalogue;
    if (stories.isEmpty()) {
      return catalogue;
    }
    Set<Story> chosen = new LinkedHashSet<>();
    for (String name : stories) {
      chosen.add(
          Stories.find(catalogue, name)
              .orElseThrow(
                  () ->
                      new ParameterException(
                          spec.commandLine(),
                          "unknown story '"
                              + name
                              + "'; the stories are "
                              + Stories.names(catalogue))));
    }
    return catalogue.stream().filter(chosen::contains).toList();
  }

  /** The server given with --url, or null for the embedded one. */
  ConnectionInfo target() {
    if (url == null) {
      if (user != null || password != null) {
        throw new ParameterException(spec.commandLine(), "--user and --password need --url");
      }
      return null;
    }
    if (!url.startsWith("jdbc:postgresql://") && !url.startsWith("jdbc:mariadb://")) {
      throw new ParameterException(
          spec.commandLine(),
          "--url must be a PostgreSQL or MariaDB JDBC URL starting"
              + " with jdbc:postgresql:// or jdbc:mariadb://, was "
              + new ConnectionInfo(url, null, null).displayUrl());
    }
    return new ConnectionInfo(url, user, password);
  }

  private static void printList(PrintWriter out, List<Story> selected) {
    for (Story s : selected) {
      out.printf(Locale.ROOT, "%d  %-15s %s%n", s.number(), s.id(), s.title());
      for (String line : DemoReport.wrap(s.description(), DemoReport.WIDTH - 19)) {
        out.println(" ".repeat(19) + line);
      }
    }
  }

  private static DemoReport run(
      List<Story> selected, ConnectionInfo target, long seed, Consumer<String> progress) {
    long start = System.nanoTime();
    try (DemoServer server =
        target == null ? DemoServer.embedded(progress) : DemoServer.external(target)) {
      // the header comes once the server is there: a bad --url gets its one error line and nothing
      // else
      progress.accept(
          "txguard demo: "
              + selected.size()
              + " "
              + (selected.size() == 1 ? "story" : "stories")
              + ", seed "
              + seed
              + ", on "
              + server.description());
      StoryRunner runner = new StoryRunner(server.storyConnection(), seed, STORY_LIMIT);
      List<StoryResult> results = new ArrayList<>();
      for (Story story : selected) {
        progress.accept("");
        progress.accept(story.number() + ". " + story.id() + ": " + story.title());
        StoryResult result = runner.run(story);
        printVariant(
            progress,
            result.naive(),
            result.naive().error() == null
                ? (result.naive().measurement().faultShown() ? "fault shown" : "no fault")
                : "error");
        printVariant(progress, result.txguard(), result.held() ? "held" : "FAILED");
        results.add(result);
      }
      return new DemoReport(
          seed,
          server.description(),
          server.isEmbedded(),
          results,
          Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private static void printVariant(
      Consumer<String> progress, StoryResult.VariantResult v, String mark) {
    String head = String.format(Locale.ROOT, "   %-8s %-12s", v.variant().label(), mark);
    String text =
        v.detail() + String.format(Locale.ROOT, " (%.1f s)", v.elapsed().toMillis() / 1000.0);
    List<String> lines = DemoReport.wrap(text, DemoReport.WIDTH - head.length() - 1);
    for (int i = 0; i < lines.size(); i++) {
      progress.accept((i == 0 ? head : " ".repeat(head.length())) + " " + lines.get(i));
    }
  }

  /** {@code --json --list}: the stories as a JSON array of {number, id, title, description}. */
  private static ArrayNode listJson(List<Story> selected) {
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    for (Story s : selected) {
      list.addObject()
          .put("number", s.number())
          .put("id", s.id())
          .put("title", s.title())
          .put("description", s.description());
    }
    return list;
  }

  private static String toJson(JsonNode node) {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    try {
      return mapper.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write the JSON list: " + e.getMessage(), e);
    }
  }

  private static String toJson(DemoReport report) {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    try {
      return mapper.writeValueAsString(report.toJson(mapper));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write the JSON report: " + e.getMessage(), e);
    }
  }
}
