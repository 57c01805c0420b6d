package dev.txguard.examples.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The repository's Markdown files that the doc tests read. */
final class DocSources {
  private DocSources() {}

  /** The repository's root: the parent of the examples module the tests run in. */
  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("examples"))) {
        return p;
      }
    }
    throw new IllegalStateException(
        "no repository root (a directory with mvnw and examples/) above " + dir);
  }

  /** README.md and docs/*.md: the files whose code blocks are compiled. */
  static List<Path> guides(Path root) throws IOException {
    List<Path> files = new ArrayList<>(List.of(root.resolve("README.md")));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    return files;
  }

  /** Every Markdown file of the repository outside build output and hidden directories. */
  static List<Path> allMarkdown(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(p -> p.toString().endsWith(".md"))
          .filter(
              p ->
                  root.relativize(p).toString().split("/").length == 1
                      || Stream.of(root.relativize(p).toString().split("/"))
                          .noneMatch(part -> part.equals("target") || part.startsWith(".")))
          .sorted()
          .toList();
    }
  }
}
