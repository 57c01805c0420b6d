package dev.txguard.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.txguard.cli.internal.DurationText;
import dev.txguard.cli.internal.QueueTarget;
import dev.txguard.queue.CancelResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code txguard queue cancel ID...} and {@code txguard queue cancel --group G [--wait D]}. */
@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    description = {
      "Cancels jobs by id, or every job of a group: jobs that have not started never run; running ones are asked"
          + " to stop (their handler sees it) and end cancelled if they then fail.",
      "With --group, --wait waits that long for the group's running jobs to end.",
      "Exit status 1 when a job could not be cancelled (missing or already finished) or, with --group, when"
          + " running jobs were still running when the wait ran out."
    })
final class QueueCancelCommand extends JobActionCommand {
  @Parameters(paramLabel = "ID", arity = "0..*", description = "The jobs' ids.")
  List<Long> ids = new ArrayList<>();

  @Option(
      names = "--group",
      paramLabel = "GROUP",
      description = "Cancel every job of this group instead.")
  String group;

  @Option(
      names = "--wait",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "With --group: how long to wait for its running jobs, e.g. 30s (default: 0, do not wait).")
  Duration wait;

  QueueCancelCommand(Map<String, String> env) {
    super(env);
  }

  @Override
  void check() {
    requirePositiveIds(ids);
    if (group == null && ids.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(), "name the jobs to cancel: give job ids or --group GROUP");
    }
    if (group != null && !ids.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "give job ids or --group, not both");
    }
    if (wait != null && group == null) {
      throw new ParameterException(
          spec.commandLine(), "--wait needs --group (cancelling by id does not wait)");
    }
    if (group != null && group.isBlank()) {
      throw new ParameterException(spec.commandLine(), "--group must not be blank");
    }
  }

  @Override
  int run(QueueTarget target, PrintWriter out, PrintWriter err) {
    if (group == null) {
      return print(out, target.admin().cancel(ids));
    }
    Duration w = wait == null ? Duration.ZERO : wait;
    if (!w.isZero()) {
      err.println(
          "cancelling group "
              + group
              + " and waiting up to "
              + DurationText.format(w)
              + " for its running jobs ...");
      err.flush();
    }
    CancelResult r = target.admin().cancelGroup(group, w);
    if (json) {
      ObjectNode node =
          object()
              .put("group", group)
              .put("waitMillis", w.toMillis())
              .put("cancelled", r.cancelled())
              .put("waitedFor", r.waitedFor())
              .put("stillRunning", r.stillRunning())
              .put("allStopped", r.allStopped());
      printJson(out, node);
    } else {
      out.println(
          "group "
              + group
              + ": "
              + r.cancelled()
              + " cancelled before they ran, "
              + r.waitedFor()
              + " running ended"
              + (w.isZero() ? " (not waited for)" : "")
              + ", "
              + r.stillRunning()
              + " still running"
              + (r.stillRunning() > 0
                  ? " (asked to stop; a job whose worker is gone stays running until its lease"
                      + " expires, then rescue ends it cancelled)"
                  : ""));
    }
    return r.allStopped() ? 0 : 1;
  }
}
