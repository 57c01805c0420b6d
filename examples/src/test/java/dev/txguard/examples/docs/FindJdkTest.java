package dev.txguard.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's JDK search ({@code bin/find-jdk.sh}, used by {@code ./txguard} and {@code
 * .ci/run}): with an older default {@code java} it finds a JDK 21+, and without one it names what
 * to install.
 */
class FindJdkTest {
  @TempDir Path tmp;

  private final Path root = DocSources.root();

  /** A fake JDK home whose java claims {@code version}. */
  private Path fakeJdk(String name, String version) throws IOException {
    Path bin = Files.createDirectories(tmp.resolve(name).resolve("bin"));
    for (String tool : new String[] {"java", "javac"}) {
      Path p = bin.resolve(tool);
      Files.writeString(
          p,
          "#!/bin/sh\necho 'openjdk version \"" + version + "\" 2025-04-15' >&2\n",
          StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return tmp.resolve(name);
  }

  private record Result(int status, String out) {}

  private Result find(Path javaHome, Path path, Path jdkDirs) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                "bash", "-c", ". bin/find-jdk.sh && txguard_find_jdk && echo \"$JAVA_HOME\"")
            .directory(root.toFile())
            .redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", javaHome.toString());
    pb.environment().put("PATH", path + ":/usr/bin:/bin");
    pb.environment().put("TXGUARD_JDK_DIRS", jdkDirs.toString());
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("find-jdk.sh did not end within 30 s").isTrue();
    return new Result(
        p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void anOlderDefaultJavaIsPassedOverForAJdk21UnderTheJdkDirectories() throws Exception {
    Path old = fakeJdk("jdk-17", "17.0.15");
    Path jvms = Files.createDirectories(tmp.resolve("jvm"));
    Path newer = Files.move(fakeJdk("jdk-21", "21.0.5"), jvms.resolve("jdk-21"));

    Result r = find(old, old.resolve("bin"), jvms);

    assertThat(r.status()).as(r.out()).isZero();
    assertThat(r.out().strip()).isEqualTo(newer.toString());
  }

  @Test
  void aJavaHomeOf21OrNewerIsKept() throws Exception {
    Path current = fakeJdk("jdk-25", "25.0.3");
    Result r =
        find(
            current,
            fakeJdk("jdk-17", "17.0.15").resolve("bin"),
            Files.createDirectories(tmp.resolve("none")));

    assertThat(r.status()).as(r.out()).isZero();
    assertThat(r.out().strip()).isEqualTo(current.toString());
  }

  @Test
  void withoutAJdk21ItNamesExactlyWhatToInstall() throws Exception {
    Path old = fakeJdk("jdk-17", "17.0.15");

    Result r = find(old, old.resolve("bin"), Files.createDirectories(tmp.resolve("empty")));

    assertThat(r.status()).isEqualTo(1);
    assertThat(r.out())
        .contains("txguard needs a JDK 21 or newer")
        .contains("java 17 at " + old.resolve("bin/java"))
        .contains("sudo apt-get install openjdk-21-jdk-headless")
        .contains("brew install openjdk@21")
        .contains("export JAVA_HOME=");
  }
}
