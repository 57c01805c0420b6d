package dev.txguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code txguard demo} stopped by SIGTERM: it says it was interrupted, not that txguard failed. */
@TxguardTest(queue = false)
class DemoInterruptIT {
  @Injected static TestDatabase pg;

  @Test
  void sigtermDuringAStorySaysInterruptedAndExits143() throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Txguard.class.getName(),
                "demo",
                "--seed",
                "5",
                "--url",
                pg.url(),
                "--user",
                pg.user()));
    if (!pg.password().isEmpty()) {
      command.addAll(List.of("--password", pg.password()));
    }
    Process demo = new ProcessBuilder(command).redirectErrorStream(true).start();
    StringBuilder output = new StringBuilder();
    Thread reader = Thread.ofPlatform().daemon().start(() -> copy(demo.getInputStream(), output));

    // SIGTERM once the first story is under way (bounded: the demo gets 60 s to get there)
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!text(output).contains("1. complete-job") && demo.isAlive() && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    assertThat(text(output))
        .as("the demo never started its first story; it printed:%n%s", text(output))
        .contains("1. complete-job");
    // Process.destroy() would also close our end of its output: send the signal with kill(1)
    Process kill =
        new ProcessBuilder("kill", "-TERM", Long.toString(demo.pid())).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0)
        .as("kill -TERM %d", demo.pid())
        .isTrue();
    assertThat(demo.waitFor(60, TimeUnit.SECONDS))
        .as("the demo did not stop within 60 s of SIGTERM")
        .isTrue();
    reader.join(5_000);

    String printed = text(output);
    assertThat(demo.exitValue()).as(printed).isEqualTo(143);
    assertThat(printed)
        .contains("txguard demo: interrupted")
        .doesNotContain("FAILED")
        .doesNotContain("Exception");
    assertThat(
            pg.queryLong("select count(*) from pg_namespace where nspname like 'txguard_demo_%'"))
        .isZero();
  }

  private static String text(StringBuilder output) {
    synchronized (output) {
      return output.toString();
    }
  }

  private static void copy(InputStream in, StringBuilder output) {
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) > 0; ) {
        synchronized (output) {
          output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      synchronized (output) {
        output.append("[reading the demo's output failed: ").append(e.getMessage()).append(']');
      }
    }
  }
}
