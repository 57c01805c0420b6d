package dev.txguard.examples;

import dev.txguard.examples.first.FirstExample;
import dev.txguard.examples.queue.CallAndWait;
import dev.txguard.examples.queue.CancelAndWait;
import dev.txguard.examples.queue.PeriodicJobs;
import dev.txguard.examples.queue.QueueWorker;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs one example program, on the server given as its second argument or on an embedded PostgreSQL
 * started for the run and deleted afterwards: {@code ./txguard example first}.
 */
public final class RunExample {
  /** An example's main method. */
  @FunctionalInterface
  interface Program {
    void main(String[] args) throws Exception;
  }

  static final Map<String, Program> PROGRAMS = new LinkedHashMap<>();

  static {
    PROGRAMS.put("first", FirstExample::main);
    PROGRAMS.put("queue-worker", QueueWorker::main);
    PROGRAMS.put("call-and-wait", CallAndWait::main);
    PROGRAMS.put("cancel-and-wait", CancelAndWait::main);
    PROGRAMS.put("periodic-jobs", PeriodicJobs::main);
  }

  private RunExample() {}

  /**
   * {@code NAME [JDBC_URL]}: runs the example {@code NAME}; without a URL on an embedded
   * PostgreSQL. Exits with 2 and a line naming the examples when the name is unknown.
   */
  public static void main(String[] args) throws Exception {
    // the launcher's class path has slf4j-simple: warnings (leaks, failed jobs) yes, start-up
    // chatter no
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    Program program = args.length == 0 ? null : PROGRAMS.get(args[0]);
    if (program == null) {
      System.err.println(
          "txguard example: "
              + (args.length == 0 ? "no example named" : "unknown example '" + args[0] + "'")
              + "; the examples are "
              + String.join(", ", PROGRAMS.keySet())
              + " (usage: NAME [JDBC_URL])");
      System.exit(2);
      return;
    }
    if (args.length > 1) {
      program.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    try (EmbeddedPostgres pg = startEmbedded()) {
      program.main(new String[] {pg.getJdbcUrl("postgres", "postgres")});
    }
  }

  private static EmbeddedPostgres startEmbedded() throws IOException {
    System.err.println(
        "(no JDBC URL given: running on an embedded PostgreSQL, deleted afterwards)");
    return EmbeddedPostgres.builder()
        .setCleanDataDirectory(true)
        .setPGStartupWait(Duration.ofSeconds(60))
        .start();
  }
}
