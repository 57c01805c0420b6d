package dev.txguard.cli;

import java.util.Map;
import picocli.CommandLine.Option;

/**
 * An admin command that prints its result, as text or, with {@code --json}, as JSON: {@code
 * migrate} and every {@code queue} subcommand. {@code dashboard} serves a page instead and has no
 * {@code --json}.
 */
abstract class ReportCommand extends AdminCommand {
  @Option(names = "--json", description = "Print JSON on standard output instead of text.")
  boolean json;

  ReportCommand(Map<String, String> env) {
    super(env);
  }
}
