package dev.txguard.cli;

import dev.txguard.cli.internal.BadInvocationException;
import dev.txguard.cli.internal.Stories;
import dev.txguard.cli.internal.Story;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code txguard} command line: {@code demo} replays the five failure stories of txguard's
 * mission against a real PostgreSQL, once written the naive way and once with txguard; {@code
 * migrate} applies the job queue's migrations; {@code queue
 * stats|processes|schedules|list|show|retry|cancel|prune} are the operator's commands on a queue (a
 * thin layer over {@code QueueAdmin}); {@code dashboard} serves the queue dashboard.
 *
 * <pre>
 * java -jar txguard.jar demo                 # all five stories on an embedded PostgreSQL
 * java -jar txguard.jar demo leaked-tx 5     # some of them, by id or number
 * java -jar txguard.jar migrate --url jdbc:postgresql://localhost:5432/app --user app
 * TXGUARD_URL=jdbc:postgresql://localhost:5432/app java -jar txguard.jar queue stats --json
 * </pre>
 *
 * <p>Exit status: 0 when the command did everything (every txguard variant held), 1 when it did not
 * (the reason is on standard error), 2 for a bad invocation (one line saying what was wrong, and a
 * usage hint; nothing is left behind).
 */
@Command(
    name = "txguard",
    mixinStandardHelpOptions = true,
    version = "txguard 0.1.0-SNAPSHOT",
    description =
        "Transactions that always end, retry only what is retryable, and never deadlock the pool.",
    commandListHeading = "%nCommands:%n")
public final class Txguard implements Callable<Integer> {
  /** Exit status of a bad invocation. */
  static final int USAGE = 2;

  @Spec private CommandSpec spec;

  private Txguard() {}

  /**
   * Runs the command and exits the JVM with its status.
   *
   * @param args the command line, e.g. {@code demo --list}
   */
  public static void main(String[] args) {
    // quiet by default: the demo reports what matters itself; set the property to see the logs
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    }
    // but the dashboard's record of who did what (every retry and cancel) is always shown
    if (System.getProperty("org.slf4j.simpleLogger.log.dev.txguard.dashboard") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.dev.txguard.dashboard", "info");
    }
    System.exit(run(System.out, System.err, args));
  }

  /** Runs the command with the given streams and returns its exit status. */
  static int run(PrintStream out, PrintStream err, String... args) {
    return run(out, err, Stories.all(), System.getenv(), args);
  }

  /**
   * Runs the command on {@code stories} (tests pass made-up ones) with the environment {@code env}
   * (for {@code TXGUARD_URL} and friends) and returns its exit status.
   */
  static int run(
      PrintStream out,
      PrintStream err,
      List<Story> stories,
      Map<String, String> env,
      String... args) {
    PrintWriter o = new PrintWriter(out, true, StandardCharsets.UTF_8);
    PrintWriter e = new PrintWriter(err, true, StandardCharsets.UTF_8);
    CommandLine cl = new CommandLine(new Txguard());
    cl.addSubcommand("demo", new DemoCommand(stories));
    cl.addSubcommand("migrate", new MigrateCommand(env));
    CommandLine queue = new CommandLine(new QueueCommand());
    queue.addSubcommand("stats", new QueueStatsCommand(env));
    queue.addSubcommand("processes", new QueueProcessesCommand(env));
    queue.addSubcommand("schedules", new QueueSchedulesCommand(env));
    queue.addSubcommand("list", new QueueListCommand(env));
    queue.addSubcommand("show", new QueueShowCommand(env));
    queue.addSubcommand("retry", new QueueRetryCommand(env));
    queue.addSubcommand("cancel", new QueueCancelCommand(env));
    queue.addSubcommand("prune", new QueuePruneCommand(env));
    cl.addSubcommand("queue", queue);
    cl.addSubcommand("dashboard", new DashboardCommand(env));
    cl.setOut(o);
    cl.setErr(e);
    cl.setParameterExceptionHandler(Txguard::badParameters);
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> failed(ex, cmd));
    try {
      return cl.execute(args);
    } finally {
      o.flush();
      e.flush();
    }
  }

  private static int badParameters(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    if (ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String first = u.getUnmatched().get(0);
      return usageError(
          cmd, unknownCommand(cmd, u) ? unknownCommandMessage(cmd, first) : unmatched(first));
    }
    String message =
        ex.getMessage() == null
            ? "invalid command line"
            : ex.getMessage().lines().findFirst().orElse("");
    return usageError(cmd, message);
  }

  /**
   * Whether the first argument {@code cmd} could not match stands where its subcommand goes: a
   * command with subcommands takes no other positional argument.
   */
  private static boolean unknownCommand(CommandLine cmd, UnmatchedArgumentException ex) {
    return !cmd.getSubcommands().isEmpty() && !ex.getUnmatched().get(0).startsWith("-");
  }

  /**
   * Names the first argument nothing matched, and an option without its {@code =value}: picocli
   * names every unmatched argument, so a mistyped {@code --pasword SECRET} showed the secret.
   */
  private static String unmatched(String first) {
    if (first.startsWith("-")) {
      int eq = first.indexOf('=');
      return "Unknown option: '" + (eq < 0 ? first : first.substring(0, eq)) + "'";
    }
    return "Unmatched argument: '" + first + "'";
  }

  /**
   * "unknown queue command 'purge'; the queue commands are stats, ..." (only that argument: the
   * ones after it may hold a password).
   */
  private static String unknownCommandMessage(CommandLine cmd, String name) {
    String parent = cmd.getParent() == null ? "" : cmd.getCommandName() + " ";
    return "unknown "
        + parent
        + "command '"
        + name
        + "'; the "
        + parent
        + "commands are "
        + String.join(", ", cmd.getSubcommands().keySet());
  }

  private static int failed(Exception ex, CommandLine cmd) {
    if (ex instanceof BadInvocationException) {
      return usageError(cmd, ex.getMessage());
    }
    // an environment problem (the embedded server cannot start, the server refused a statement):
    // say
    // what, in one line
    String msg = ex.getMessage() != null ? ex.getMessage() : ex.toString();
    cmd.getErr().println("txguard: " + msg.lines().findFirst().orElse(msg));
    return 1;
  }

  /** Prints one line saying what was wrong and a usage hint, and returns {@link #USAGE}. */
  static int usageError(CommandLine cmd, String message) {
    cmd.getErr().println("txguard: " + message);
    cmd.getErr().println("Usage hint: " + cmd.getCommandSpec().qualifiedName() + " --help");
    return USAGE;
  }

  /** Without a subcommand: show the usage on standard error, status 2. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return USAGE;
  }
}
