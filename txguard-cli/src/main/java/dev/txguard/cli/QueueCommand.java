package dev.txguard.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code txguard queue}: the operator's commands on a job queue; the subcommands do the work. */
@Command(
    name = "queue",
    mixinStandardHelpOptions = true,
    description = {
      "Look at and act on a txguard job queue: counts, the processes working it and which one leads"
          + " maintenance, schedules, listings, one job, retry, cancel, prune.",
      "Every subcommand takes --url/--user/--password/--schema (or TXGUARD_URL, TXGUARD_USER, TXGUARD_PASSWORD,"
          + " TXGUARD_SCHEMA) and --json.",
      "Exit status: 0 done; 1 not everything done (a job not found, not retried, not cancelled, still"
          + " running) or the server failed; 2 bad invocation (bad option, no or unreachable server, schema not"
          + " migrated)."
    },
    commandListHeading = "%nCommands:%n")
final class QueueCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  /** Without a subcommand: show the usage on standard error, status 2. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return Txguard.USAGE;
  }
}
