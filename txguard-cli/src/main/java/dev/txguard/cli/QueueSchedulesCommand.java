package dev.txguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.txguard.cli.internal.QueueTarget;
import dev.txguard.queue.ScheduleStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code txguard queue schedules}: every periodic schedule the schema has recorded, with its
 * definition, next and last run, and the leader's cursor ({@code QueueAdmin.schedules()}).
 *
 * <p>Text is one block per schedule rather than a table row: its four timestamps, its definition
 * and its last job do not fit 100 columns in one line without cutting something.
 */
@Command(
    name = "schedules",
    mixinStandardHelpOptions = true,
    description =
        "Lists the periodic schedules the schema has recorded, by name: each one's definition, next"
            + " run, last run with its job and that job's state, the latest instant the leader handled"
            + " (enqueued or skipped) and when it last moved that cursor.")
final class QueueSchedulesCommand extends ReportCommand {
  private static final int LABEL = 15;

  QueueSchedulesCommand(Map<String, String> env) {
    super(env);
  }

  @Override
  int run(QueueTarget target, PrintWriter out, PrintWriter err) {
    List<ScheduleStatus> schedules = target.admin().schedules();
    Instant now = target.serverTime();
    String schema = target.admin().schema();
    if (json) {
      printJson(out, toJson(schema, now, schedules));
      return 0;
    }
    if (schedules.isEmpty()) {
      out.println(
          "no schedules recorded in schema "
              + schema
              + " (the leader of a started queue records the schedules declared on its builder)");
      return 0;
    }
    out.println(
        "schema "
            + schema
            + " at "
            + shortInstant(now)
            + ": "
            + schedules.size()
            + (schedules.size() == 1 ? " schedule" : " schedules"));
    for (ScheduleStatus s : schedules) {
      out.println();
      out.println(s.name());
      field(out, "definition", s.definition());
      field(
          out,
          "next run",
          s.nextRun()
              .map(next -> shortInstant(next) + " (" + relative(next, now) + ")")
              .orElse("- (never again, or a definition this txguard cannot read)"));
      field(out, "last run", lastRun(s));
      field(out, "handled until", shortInstant(s.handledUntil()));
      field(
          out, "updated", shortInstant(s.updatedAt()) + " (" + relative(s.updatedAt(), now) + ")");
    }
    return 0;
  }

  /** The last run's instant, job and that job's state, or why one is missing. */
  private static String lastRun(ScheduleStatus s) {
    if (s.lastRun().isEmpty()) {
      return "- (none kept)";
    }
    String at = shortInstant(s.lastRun().get());
    if (s.lastJobId().isEmpty()) {
      return at + ": no job (the instant was skipped, or its job deleted)";
    }
    return at
        + ": job "
        + s.lastJobId().getAsLong()
        + ", "
        + s.lastJobState().map(state -> state.sqlName()).orElse("deleted since");
  }

  private static void field(PrintWriter out, String label, String value) {
    out.println("  " + label + " ".repeat(LABEL - label.length()) + value);
  }

  static ObjectNode toJson(String schema, Instant at, List<ScheduleStatus> schedules) {
    ObjectNode node = object().put("schema", schema).put("at", at.toString());
    ArrayNode list = node.putArray("schedules");
    for (ScheduleStatus s : schedules) {
      ObjectNode n =
          list.addObject()
              .put("name", s.name())
              .put("definition", s.definition())
              .put("handledUntil", s.handledUntil().toString())
              .put("updatedAt", s.updatedAt().toString());
      putInstant(n, "lastRun", s.lastRun());
      if (s.lastJobId().isPresent()) {
        n.put("lastJobId", s.lastJobId().getAsLong());
      } else {
        n.putNull("lastJobId");
      }
      n.put("lastJobState", s.lastJobState().map(state -> state.sqlName()).orElse(null));
      putInstant(n, "nextRun", s.nextRun());
    }
    return node;
  }
}
