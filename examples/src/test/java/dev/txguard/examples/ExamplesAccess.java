package dev.txguard.examples;

import dev.txguard.test.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the doc tests share with the example tests. */
public final class ExamplesAccess {
  private ExamplesAccess() {}

  /**
   * The test database as one JDBC URL with user and password, as a user passes it to an example.
   */
  public static String url(TestDatabase tdb) {
    return ExamplesIT.url(tdb);
  }

  /** The version of the build: the parent pom's own {@code <version>}. */
  public static String projectVersion(Path root) throws IOException {
    String pom = Files.readString(root.resolve("pom.xml"), StandardCharsets.UTF_8);
    Matcher m =
        Pattern.compile("<artifactId>txguard-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(pom);
    if (!m.find()) {
      throw new IllegalStateException(
          "no <version> after txguard-parent in " + root.resolve("pom.xml"));
    }
    return m.group(1);
  }
}
