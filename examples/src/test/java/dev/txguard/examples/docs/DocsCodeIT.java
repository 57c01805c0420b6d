package dev.txguard.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.examples.ExamplesAccess;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Every code block of README.md and docs/*.md is compiled against the test class path; whole
 * programs with a {@code main} are run against a real PostgreSQL, and test classes are run with
 * JUnit (on {@code @TxguardTest}'s PostgreSQL); whole programs of the examples module are the
 * module's files, character for character; dependency snippets name this build's artifacts and
 * version. Docs and code cannot drift apart.
 */
@TxguardTest
class DocsCodeIT {
  @Injected static TestDatabase tdb;

  @TempDir Path classes;

  private final Path root = DocSources.root();

  @Test
  void everyJavaBlockCompilesAndEveryProgramRuns() throws Exception {
    int blocks = 0;
    int programs = 0;
    List<String> problems = new ArrayList<>();
    for (Path file : DocSources.guides(root)) {
      List<CodeBlock> java =
          CodeBlock.read(file).stream().filter(b -> b.language().equals("java")).toList();
      if (java.isEmpty()) {
        continue;
      }
      blocks += java.size();
      Path out = Files.createDirectories(classes.resolve(slug(file)));
      List<SnippetCompiler.Source> sources = SnippetCompiler.sources(slug(file), java);
      List<String> fileProblems = SnippetCompiler.compile(sources, out, root);
      problems.addAll(fileProblems);
      if (fileProblems.isEmpty()) {
        programs += runPrograms(sources, out, problems);
      }
    }
    assertThat(problems).as("code blocks that do not compile or run").isEmpty();
    assertThat(blocks).as("java blocks found in README.md and docs/").isGreaterThanOrEqualTo(20);
    assertThat(programs).as("whole programs and test classes run").isGreaterThanOrEqualTo(6);
  }

  @Test
  void wholeProgramsOfTheExamplesModuleAreItsFiles() throws Exception {
    int checked = 0;
    for (Path file : DocSources.guides(root)) {
      for (CodeBlock b : CodeBlock.read(file)) {
        if (!b.language().equals("java")
            || !b.isWholeProgram()
            || !SnippetCompiler.className(b).startsWith("dev.txguard.examples.")) {
          continue;
        }
        Path source =
            root.resolve("examples/src/main/java")
                .resolve(SnippetCompiler.className(b).replace('.', '/') + ".java");
        assertThat(source).as(b.where(root) + " shows a class of the examples module").exists();
        assertThat(b.code())
            .as(b.where(root) + " differs from " + root.relativize(source))
            .isEqualTo(Files.readString(source, StandardCharsets.UTF_8));
        checked++;
      }
    }
    assertThat(checked).as("example programs shown in the docs").isGreaterThanOrEqualTo(2);
  }

  @Test
  void dependencySnippetsNameThisBuildsArtifactsAndVersion() throws Exception {
    String version = ExamplesAccess.projectVersion(root);
    Pattern maven =
        Pattern.compile(
            "<groupId>dev\\.txguard</groupId>\\s*<artifactId>([\\w-]+)</artifactId>"
                + "\\s*<version>([^<]+)</version>");
    Pattern gradle = Pattern.compile("\"dev\\.txguard:([\\w-]+):([^\"]+)\"");
    int found = 0;
    for (Path file : DocSources.guides(root)) {
      for (CodeBlock b : CodeBlock.read(file)) {
        for (Pattern p : List.of(maven, gradle)) {
          Matcher m = p.matcher(b.code());
          while (m.find()) {
            found++;
            assertThat(root.resolve(m.group(1)).resolve("pom.xml"))
                .as(b.where(root) + " names a module")
                .exists();
            assertThat(m.group(2))
                .as(b.where(root) + " names the version")
                .isIn(version, version.replace("-SNAPSHOT", ""), "${txguard.version}");
          }
        }
      }
    }
    assertThat(found).as("dependency snippets").isGreaterThanOrEqualTo(4);
  }

  /**
   * Runs a test class shown in a guide with JUnit; every test must pass, and there must be some.
   */
  private int runTests(Class<?> testClass, CodeBlock block, List<String> problems) {
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter")
            .selectors(DiscoverySelectors.selectClass(testClass))
            .execute();
    long passed = results.testEvents().succeeded().count();
    List<String> failures =
        results.allEvents().failed().stream()
            .map(
                e ->
                    e.getTestDescriptor().getDisplayName()
                        + ": "
                        + e.getPayload(TestExecutionResult.class)
                            .flatMap(TestExecutionResult::getThrowable)
                            .map(Throwable::toString)
                            .orElse("failed"))
            .toList();
    if (!failures.isEmpty() || passed == 0) {
      problems.add(
          block.where(root)
              + ": "
              + testClass.getName()
              + " ran "
              + passed
              + " passing tests; failures: "
              + failures);
    }
    return 1;
  }

  private static String slug(Path file) {
    String name =
        file.getParent().getFileName() + "_" + file.getFileName().toString().replace(".md", "");
    return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
  }

  /**
   * Runs every whole program that has a main method, with the test database's URL as its argument.
   */
  private int runPrograms(List<SnippetCompiler.Source> sources, Path out, List<String> problems)
      throws Exception {
    int ran = 0;
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader())) {
      for (SnippetCompiler.Source s : sources) {
        if (s.block() != null && s.block().code().contains("@Test")) {
          ran += runTests(loader.loadClass(s.className()), s.block(), problems);
          continue;
        }
        if (s.block() == null || !s.block().code().contains("static void main(String[] args)")) {
          continue;
        }
        Method main = loader.loadClass(s.className()).getMethod("main", String[].class);
        PrintStream original = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
          main.invoke(null, (Object) new String[] {ExamplesAccess.url(tdb)});
          ran++;
        } catch (InvocationTargetException e) {
          problems.add(
              s.block().where(root) + ": " + s.className() + ".main threw " + e.getCause());
        } finally {
          System.setOut(original);
        }
      }
    }
    return ran;
  }
}
