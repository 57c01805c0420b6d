package dev.txguard.cli;

import dev.txguard.cli.internal.DurationText;
import dev.txguard.cli.internal.QueueTarget;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code txguard queue prune --older-than D}: deletes old finished jobs. */
@Command(
    name = "prune",
    mixinStandardHelpOptions = true,
    description =
        "Deletes finished jobs (completed, failed, cancelled, discarded) that finished at least --older-than"
            + " ago, 1000 per transaction, showing progress on standard error.")
final class QueuePruneCommand extends ReportCommand {
  @Option(
      names = "--older-than",
      paramLabel = "AGE",
      required = true,
      converter = DurationConverter.class,
      description = "How long ago a job must have finished, e.g. 7d.")
  Duration olderThan;

  QueuePruneCommand(Map<String, String> env) {
    super(env);
  }

  @Override
  int run(QueueTarget target, PrintWriter out, PrintWriter err) {
    long deleted =
        target
            .admin()
            .prune(
                olderThan,
                total -> {
                  if (total > 0) {
                    err.println("deleted " + total + " ...");
                    err.flush();
                  }
                });
    if (json) {
      printJson(
          out,
          object()
              .put("schema", target.admin().schema())
              .put("olderThanMillis", olderThan.toMillis())
              .put("deleted", deleted));
    } else {
      out.println(
          "deleted "
              + deleted
              + " finished "
              + (deleted == 1 ? "job" : "jobs")
              + " older than "
              + DurationText.format(olderThan)
              + " from "
              + target.admin().schema());
    }
    return 0;
  }
}
