package dev.txguard.cli;

import dev.txguard.cli.internal.QueueTarget;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code txguard queue retry ID...}: failed or discarded jobs back to available. */
@Command(
    name = "retry",
    mixinStandardHelpOptions = true,
    description =
        "Puts failed or discarded jobs back to available, to run at once, with one more attempt allowed;"
            + " their recorded errors are kept. Exit status 1 when a job was not retried (missing, in another state,"
            + " or its unique key is held by another unfinished job).")
final class QueueRetryCommand extends JobActionCommand {
  @Parameters(paramLabel = "ID", arity = "1..*", description = "The jobs' ids.")
  List<Long> ids;

  QueueRetryCommand(Map<String, String> env) {
    super(env);
  }

  @Override
  void check() {
    requirePositiveIds(ids);
  }

  @Override
  int run(QueueTarget target, PrintWriter out, PrintWriter err) {
    return print(out, target.admin().retry(ids));
  }
}
