package dev.txguard.cli;

import dev.txguard.cli.internal.Stories;
import dev.txguard.cli.internal.Story;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** One run of the command with captured output. */
record Run(int status, String out, String err) {
  static Run of(String... args) {
    return of(Stories.all(), args);
  }

  static Run of(List<Story> stories, String... args) {
    return run(stories, Map.of(), args);
  }

  /**
   * A run with {@code env} as the environment (TXGUARD_URL and friends); the real one is ignored.
   */
  static Run withEnv(Map<String, String> env, String... args) {
    return run(Stories.all(), env, args);
  }

  private static Run run(List<Story> stories, Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Txguard.run(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            stories,
            env,
            args);
    return new Run(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  List<String> errLines() {
    return err.lines().toList();
  }
}
