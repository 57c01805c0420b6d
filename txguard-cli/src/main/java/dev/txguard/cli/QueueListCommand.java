package dev.txguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.txguard.cli.internal.QueueTarget;
import dev.txguard.cli.internal.TextTable;
import dev.txguard.queue.JobFilter;
import dev.txguard.queue.JobState;
import dev.txguard.queue.QueueAdmin.JobSummary;
import dev.txguard.queue.QueueAdmin.Page;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code txguard queue list}: jobs matching filters, newest first, a page at a time. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description =
        "Lists jobs, newest first (by id: the order they were enqueued), a page at a time: the last line"
            + " says how to get the next page.")
final class QueueListCommand extends ReportCommand {
  @Option(
      names = "--state",
      paramLabel = "STATE",
      split = ",",
      description =
          "Only jobs in these states"
              + " (repeatable or comma-separated): scheduled, available, running, retryable, completed, failed, cancelled,"
              + " discarded.")
  List<String> states = new ArrayList<>();

  @Option(
      names = "--kind",
      paramLabel = "KIND",
      split = ",",
      description = "Only jobs of these kinds.")
  List<String> kinds = new ArrayList<>();

  @Option(
      names = "--queue",
      paramLabel = "QUEUE",
      split = ",",
      description = "Only jobs of these queues.")
  List<String> queues = new ArrayList<>();

  @Option(names = "--group", paramLabel = "GROUP", description = "Only jobs of this group.")
  String group;

  @Option(
      names = "--older-than",
      paramLabel = "AGE",
      converter = DurationConverter.class,
      description = "Only jobs enqueued at least this long ago, e.g. 1h, 7d.")
  Duration olderThan;

  @Option(
      names = "--newer-than",
      paramLabel = "AGE",
      converter = DurationConverter.class,
      description = "Only jobs enqueued at most this long ago, e.g. 30m.")
  Duration newerThan;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "50",
      description = "Jobs per page, 1 to 1000" + " (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(
      names = "--before",
      paramLabel = "ID",
      description = "Only jobs with a smaller id: the next page.")
  Long before;

  private JobFilter filter;

  QueueListCommand(Map<String, String> env) {
    super(env);
  }

  @Override
  void check() {
    try {
      JobFilter f =
          JobFilter.all()
              .limit(limit)
              .states(states.stream().map(this::state).toArray(JobState[]::new))
              .kinds(kinds.toArray(String[]::new))
              .queues(queues.toArray(String[]::new));
      if (group != null) {
        f = f.group(group);
      }
      if (olderThan != null) {
        f = f.olderThan(olderThan);
      }
      if (newerThan != null) {
        f = f.newerThan(newerThan);
      }
      if (before != null) {
        f = f.before(before);
      }
      filter = f;
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private JobState state(String name) {
    for (JobState s : JobState.values()) {
      if (s.sqlName().equalsIgnoreCase(name.trim())) {
        return s;
      }
    }
    throw new ParameterException(
        spec.commandLine(),
        "unknown state '"
            + name
            + "'; the states are scheduled,"
            + " available, running, retryable, completed, failed, cancelled, discarded");
  }

  @Override
  int run(QueueTarget target, PrintWriter out, PrintWriter err) {
    Page page = target.admin().list(filter);
    if (json) {
      ObjectNode node = object().put("schema", target.admin().schema());
      ArrayNode jobs = node.putArray("jobs");
      for (JobSummary j : page.jobs()) {
        ObjectNode n =
            jobs.addObject()
                .put("id", j.id())
                .put("kind", j.kind())
                .put("queue", j.queue())
                .put("state", j.state().sqlName())
                .put("priority", j.priority())
                .put("attempt", j.attempt())
                .put("maxAttempts", j.maxAttempts())
                .put("createdAt", j.createdAt().toString())
                .put("runAt", j.runAt().toString());
        putInstant(n, "finalizedAt", j.finalizedAt());
        n.put("group", j.group().orElse(null));
      }
      if (page.nextBefore().isPresent()) {
        node.put("nextBefore", page.nextBefore().getAsLong());
      } else {
        node.putNull("nextBefore");
      }
      printJson(out, node);
      return 0;
    }
    if (page.jobs().isEmpty()) {
      out.println("no jobs match");
      return 0;
    }
    TextTable t = new TextTable(">id", "state", "kind", "queue", ">attempt", "created", "group");
    for (JobSummary j : page.jobs()) {
      t.row(
          j.id(),
          j.state().sqlName(),
          j.kind(),
          j.queue(),
          j.attempt() + "/" + j.maxAttempts(),
          shortInstant(j.createdAt()),
          j.group().orElse(null));
    }
    t.lines().forEach(out::println);
    if (page.nextBefore().isPresent()) {
      out.println("(more: add --before " + page.nextBefore().getAsLong() + ")");
    }
    return 0;
  }
}
