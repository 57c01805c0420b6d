package dev.txguard.cli;

import dev.txguard.cli.internal.QueueTarget;
import dev.txguard.dashboard.Dashboard;
import io.javalin.util.JavalinLogger;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code txguard dashboard}: serves the queue dashboard ({@link Dashboard}) until interrupted.
 * Without {@code --token-file} or {@code --login}, a random token is made up and printed once.
 */
@Command(
    name = "dashboard",
    mixinStandardHelpOptions = true,
    description =
        "Serves the queue dashboard (a web page over the queue's admin API) until stopped with Ctrl-C."
            + " Binds 127.0.0.1 unless --bind says otherwise; every request needs the token or login.")
final class DashboardCommand extends AdminCommand {
  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Port (default 8025; 0: any free port).")
  int port = 8025;

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      description = "Address to listen on (default 127.0.0.1).")
  String bind = "127.0.0.1";

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "A file whose first line is the token"
              + " (16 characters or more); browsers sign in with any user name and the token as password.")
  Path tokenFile;

  @Option(
      names = "--login",
      paramLabel = "NAME",
      description =
          "Sign in as NAME with the password in" + " --login-password-file instead of a token.")
  String login;

  @Option(
      names = "--login-password-file",
      paramLabel = "FILE",
      description = "A file whose first line is" + " --login's password (8 characters or more).")
  Path loginPasswordFile;

  @Option(names = "--read-only", description = "Show everything, refuse retry and cancel.")
  boolean readOnly;

  /** Counted down by the shutdown hook (Ctrl-C) or never; an interrupt ends the wait too. */
  private final CountDownLatch stopped = new CountDownLatch(1);

  DashboardCommand(Map<String, String> env) {
    super(env);
  }

  @Override
  void check() {
    if (tokenFile != null && login != null) {
      throw new ParameterException(
          spec.commandLine(), "give either --token-file or --login, not both");
    }
    if ((login == null) != (loginPasswordFile == null)) {
      throw new ParameterException(
          spec.commandLine(), "--login and --login-password-file go together");
    }
    if (port < 0 || port > 65535) {
      throw new ParameterException(
          spec.commandLine(), "--port must be between 0 and 65535, was " + port);
    }
  }

  @Override
  int run(QueueTarget target, PrintWriter out, PrintWriter err) {
    Dashboard.Builder b = Dashboard.builder(target.admin()).port(port).readOnly(readOnly);
    String madeUp = null;
    try {
      b.bind(bind);
      if (login != null) {
        b.user(login, firstLine(loginPasswordFile, "--login-password-file"));
      } else if (tokenFile != null) {
        b.token(firstLine(tokenFile, "--token-file"));
      } else {
        byte[] random = new byte[16];
        new SecureRandom()
            .nextBytes(random); // not generateSeed: that may block on the system's entropy
        madeUp = HexFormat.of().formatHex(random);
        b.token(madeUp);
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    try (Dashboard dashboard = start(b.build())) {
      out.println(
          "txguard dashboard for "
              + target.description()
              + " on "
              + dashboard.uri()
              + (readOnly ? " (read-only)" : "")
              + "; Ctrl-C stops it");
      if (madeUp != null) {
        out.println(
            "sign in with any user name and this token as password (made up for this run): "
                + madeUp);
      }
      out.flush();
      Thread hook = new Thread(stopped::countDown, "txguard-dashboard-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        stopped.await();
      } catch (InterruptedException e) {
        // an interrupt is this command's stop signal (as Ctrl-C is): not restored, so that the
        // server and the database close normally on the way out
      } finally {
        removeHook(hook);
      }
    }
    return 0;
  }

  /**
   * Starts the server without Javalin's own "Failed to start Javalin" log line: the exception that
   * follows it (a port in use, say) is printed by {@link Txguard} as txguard's one line. The switch
   * is process-wide, which is fine here: this command is the process's only Javalin, and only its
   * start is silenced.
   */
  private static Dashboard start(Dashboard dashboard) {
    boolean logging = JavalinLogger.enabled;
    JavalinLogger.enabled = false;
    try {
      return dashboard.start();
    } finally {
      JavalinLogger.enabled = logging;
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs or ran
    }
  }

  private String firstLine(Path file, String option) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
          .findFirst()
          .orElse("")
          .strip();
    } catch (IOException e) {
      throw new ParameterException(
          spec.commandLine(),
          option + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
  }
}
