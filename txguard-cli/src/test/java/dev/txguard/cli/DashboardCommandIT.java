package dev.txguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.cli.internal.Stories;
import dev.txguard.queue.JobQueue;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code txguard dashboard} against a real queue schema: serves until interrupted, with a made-up
 * or given secret.
 */
@TxguardTest(queue = false)
class DashboardCommandIT {
  @Injected static TestDatabase pg;
  @TempDir Path dir;
  static Database db;

  @BeforeAll
  static void migrate() {
    db =
        Database.builder()
            .url(pg.url())
            .user(pg.user())
            .password(pg.password())
            .poolSize(2)
            .build();
    JobQueue.builder(db).schema("dash").build().migrate();
  }

  @AfterAll
  static void close() {
    db.close();
  }

  static String[] args(String... more) {
    String[] base = {
      "dashboard",
      "--url",
      pg.url(),
      "--user",
      pg.user(),
      "--password",
      pg.password(),
      "--schema",
      "dash",
      "--port",
      "0"
    };
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  static int get(URI uri, String user, String password) throws Exception {
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
    if (user != null) {
      c.setRequestProperty(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    try {
      return c.getResponseCode();
    } finally {
      c.disconnect();
    }
  }

  @Test
  void servesWithAMadeUpTokenUntilInterrupted() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AtomicInteger status = new AtomicInteger(-1);
    Thread t =
        new Thread(
            () ->
                status.set(
                    Txguard.run(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        Stories.all(),
                        Map.of(),
                        args())));
    t.start();
    Pattern started =
        Pattern.compile(
            "on (http://127\\.0\\.0\\.1:\\d+/);[\\s\\S]*as password \\(made up for this run\\): (\\w+)");
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Matcher m = started.matcher("");
    while (!(m = started.matcher(out.toString(StandardCharsets.UTF_8))).find()) {
      assertThat(System.nanoTime())
          .as("waiting for the start line; output so far: %s", out)
          .isLessThan(end);
      assertThat(t.isAlive())
          .as("the command ended early (status %s): %s", status.get(), out)
          .isTrue();
      Thread.sleep(50);
    }
    URI uri = URI.create(m.group(1) + "api/overview");
    try {
      assertThat(m.group(2)).hasSize(32);
      assertThat(get(uri, null, null)).isEqualTo(401);
      assertThat(get(uri, "anyone", "wrong-token-wrong-token")).isEqualTo(401);
      assertThat(get(uri, "anyone", m.group(2))).isEqualTo(200);
    } finally {
      t.interrupt();
      t.join(Duration.ofSeconds(30));
    }
    assertThat(t.isAlive()).isFalse();
    assertThat(status.get()).isZero();
  }

  /**
   * Newcomer review: a port in use printed Javalin's {@code [main] ERROR io.javalin.Javalin -
   * Failed to start Javalin} before txguard's own line. Run as a process of its own, so that the
   * logging is the command's (its defaults are set in {@code main}).
   */
  @Test
  void aPortInUseIsTxguardsOneLineAlone() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<String> command =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  Txguard.class.getName()));
      command.addAll(Arrays.asList(args()));
      command.set(command.size() - 1, String.valueOf(taken.getLocalPort()));
      Path err = dir.resolve("err.txt");
      Process p =
          new ProcessBuilder(command)
              .redirectOutput(dir.resolve("out.txt").toFile())
              .redirectError(err.toFile())
              .start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the command ended within 60 s").isTrue();

      assertThat(p.exitValue()).as(Files.readString(err)).isEqualTo(1);
      assertThat(Files.readAllLines(err))
          .containsExactly(
              "txguard: Port already in use. Make sure no other process is using port "
                  + taken.getLocalPort()
                  + " and try again.");
      assertThat(Files.readString(dir.resolve("out.txt"))).isEmpty();
    }
  }

  @Test
  void badSecretsAreBadInvocationsThatNeverEchoTheSecret() throws Exception {
    Path shortToken = Files.writeString(dir.resolve("token"), "tooshort\n");
    Run r = Run.of(args("--token-file", shortToken.toString()));
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err())
        .contains("token must be at least 16 characters long, was 8 characters")
        .doesNotContain("tooshort");

    r = Run.of(args("--login", "ops"));
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("--login and --login-password-file go together");

    r = Run.of(args("--token-file", dir.resolve("missing").toString()));
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("--token-file: cannot read");
  }
}
