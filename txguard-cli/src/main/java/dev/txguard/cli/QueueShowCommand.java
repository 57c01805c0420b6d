package dev.txguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.txguard.cli.internal.QueueTarget;
import dev.txguard.cli.internal.TextTable;
import dev.txguard.queue.Job;
import dev.txguard.queue.JobError;
import dev.txguard.queue.JobState;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code txguard queue show ID}: one job, with its arguments, errors and result. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description =
        "Shows one job: state, attempts, timestamps, lease, arguments, result, and every recorded error"
            + " with its stack trace. Exit status 1 when there is no such job.")
final class QueueShowCommand extends ReportCommand {
  private static final int LABEL = 13;

  @Parameters(paramLabel = "ID", description = "The job's id.")
  long id;

  QueueShowCommand(Map<String, String> env) {
    super(env);
  }

  @Override
  void check() {
    requirePositiveIds(List.of(id));
  }

  @Override
  int run(QueueTarget target, PrintWriter out, PrintWriter err) {
    Optional<Job> found = target.admin().find(id);
    if (found.isEmpty()) {
      err.println(
          "txguard: no job "
              + id
              + " in schema "
              + target.admin().schema()
              + " (never enqueued, rolled"
              + " back, or deleted after the retention period)");
      return 1;
    }
    Job j = found.get();
    if (json) {
      printJson(out, toJson(j));
      return 0;
    }
    out.println(
        "job "
            + j.id()
            + ": "
            + j.kind()
            + " on "
            + j.queue()
            + ", "
            + j.state().sqlName()
            + (j.cancelRequested() && j.state() != JobState.CANCELLED
                ? j.state() == JobState.RUNNING
                    ? " (cancel requested: it stops when its handler checks)"
                    : " (cancel was requested)"
                : ""));
    field(out, "attempts", j.attempt() + " of " + j.maxAttempts());
    field(out, "priority", String.valueOf(j.priority()));
    field(out, "created", shortInstant(j.createdAt()));
    field(out, "run at", shortInstant(j.runAt()));
    field(out, "attempted", j.attemptedAt().map(AdminCommand::shortInstant).orElse("-"));
    field(out, "finalized", j.finalizedAt().map(AdminCommand::shortInstant).orElse("-"));
    whole(
        out,
        "lease",
        j.leaseOwner()
            .map(
                o -> o + " until " + j.leaseExpiresAt().map(AdminCommand::shortInstant).orElse("-"))
            .orElse("-"));
    whole(out, "unique key", j.uniqueKey().orElse("-"));
    whole(out, "group", j.group().orElse("-"));
    field(out, "args", j.argsJson());
    field(out, "result", j.resultJson().orElse("-"));
    if (j.errors().isEmpty()) {
      field(out, "errors", "none");
      return 0;
    }
    out.println("errors (" + j.errors().size() + ", oldest first):");
    for (JobError e : j.errors()) {
      wrapped(
          out,
          "  attempt " + e.attempt() + " at " + shortInstant(e.at()) + ": " + e.error(),
          "    ");
      // the trace's first line repeats the error
      e.trace()
          .lines()
          .skip(e.trace().startsWith(e.error()) ? 1 : 0)
          .forEach(line -> wrapped(out, "    " + line.strip(), "      "));
    }
    return 0;
  }

  /**
   * An identifier on one line however long, so that it can be copied: wrapping would break it (a
   * group or unique key may hold spaces, and an owner is up to 128 characters).
   */
  private static void whole(PrintWriter out, String label, String value) {
    out.println(label + " ".repeat(LABEL - label.length()) + value.replace('\n', ' '));
  }

  /** Free text (arguments, result), wrapped to {@link TextTable#WIDTH}. */
  private static void field(PrintWriter out, String label, String value) {
    String head = label + " ".repeat(LABEL - label.length());
    var lines = TextTable.wrap(value, TextTable.WIDTH - LABEL);
    for (int i = 0; i < lines.size(); i++) {
      out.println((i == 0 ? head : " ".repeat(LABEL)) + lines.get(i));
    }
  }

  private static void wrapped(PrintWriter out, String line, String indent) {
    var lines = TextTable.wrap(line, TextTable.WIDTH);
    out.println(lines.get(0));
    for (String rest :
        TextTable.wrap(
            String.join(" ", lines.subList(1, lines.size())), TextTable.WIDTH - indent.length())) {
      if (!rest.isEmpty()) {
        out.println(indent + rest);
      }
    }
  }

  static ObjectNode toJson(Job j) {
    ObjectNode n =
        object()
            .put("id", j.id())
            .put("kind", j.kind())
            .put("queue", j.queue())
            .put("state", j.state().sqlName())
            .put("cancelRequested", j.cancelRequested())
            .put("priority", j.priority())
            .put("attempt", j.attempt())
            .put("maxAttempts", j.maxAttempts())
            .put("createdAt", j.createdAt().toString())
            .put("runAt", j.runAt().toString());
    putInstant(n, "attemptedAt", j.attemptedAt());
    putInstant(n, "finalizedAt", j.finalizedAt());
    n.put("uniqueKey", j.uniqueKey().orElse(null))
        .put("group", j.group().orElse(null))
        .put("leaseOwner", j.leaseOwner().orElse(null));
    putInstant(n, "leaseExpiresAt", j.leaseExpiresAt());
    n.set("args", rawJson(j.argsJson()));
    if (j.resultJson().isPresent()) {
      n.set("result", rawJson(j.resultJson().get()));
    } else {
      n.putNull("result");
    }
    ArrayNode errors = n.putArray("errors");
    for (JobError e : j.errors()) {
      errors
          .addObject()
          .put("attempt", e.attempt())
          .put("at", e.at() == null ? null : e.at().toString())
          .put("error", e.error())
          .put("trace", e.trace());
    }
    return n;
  }
}
