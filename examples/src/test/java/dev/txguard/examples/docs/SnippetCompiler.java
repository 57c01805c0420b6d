package dev.txguard.examples.docs;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/**
 * Compiles the Java blocks of one Markdown file with {@code javax.tools} against the test class
 * path, following the convention of {@code docs/README.md}: a block that starts with {@code
 * package} or {@code import} is a whole compilation unit; a block marked {@code java members} holds
 * declarations (records, methods, fields) shared by the file's other snippets; any other block is
 * statements, compiled as the body of a method of a class that holds the file's members and the
 * fields {@code db}, {@code queue}, {@code tx} and {@code dataSource}.
 */
final class SnippetCompiler {
  static final String IMPORTS =
      """
      import dev.txguard.*;
      import dev.txguard.queue.*;
      import dev.txguard.test.*;
      import java.math.BigDecimal;
      import java.sql.Connection;
      import java.sql.PreparedStatement;
      import java.sql.ResultSet;
      import java.sql.SQLException;
      import java.time.*;
      import java.util.*;
      import java.util.concurrent.*;
      import javax.sql.DataSource;
      """;
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
  private static final Pattern PUBLIC_TYPE =
      Pattern.compile(
          "(?m)^public\\s+(?:final\\s+|abstract\\s+)*(?:class|record|interface|enum)\\s+(\\w+)");
  private static final Pattern ANY_TYPE =
      Pattern.compile("(?m)^(?:final\\s+|abstract\\s+)*(?:class|record|interface|enum)\\s+(\\w+)");

  /** A source to compile, and the block it came from (null for a generated wrapper). */
  record Source(
      String className,
      String text,
      CodeBlock block,
      List<int[]> lineMap,
      List<CodeBlock> mapped) {}

  private SnippetCompiler() {}

  /** The fully qualified name of a whole program's main type. */
  static String className(CodeBlock block) {
    Matcher pkg = PACKAGE.matcher(block.code());
    Matcher type = PUBLIC_TYPE.matcher(block.code());
    if (!type.find()) {
      type = ANY_TYPE.matcher(block.code());
      if (!type.find()) {
        throw new IllegalStateException("a whole program declares no top-level type");
      }
    }
    return (pkg.find() ? pkg.group(1) + "." : "") + type.group(1);
  }

  /**
   * The sources of one Markdown file: its whole programs, and one wrapper class for its snippets.
   */
  static List<Source> sources(String slug, List<CodeBlock> javaBlocks) {
    List<Source> sources = new ArrayList<>();
    StringBuilder wrapper =
        new StringBuilder("package docs.")
            .append(slug)
            .append(";\n")
            .append(IMPORTS)
            .append("@SuppressWarnings(\"unused\")\nclass Snippets {\n")
            .append("  Database db;\n  JobQueue queue;\n  Tx tx;\n  DataSource dataSource;\n");
    List<int[]> lineMap = new ArrayList<>();
    List<CodeBlock> mapped = new ArrayList<>();
    for (CodeBlock b : javaBlocks) {
      if (b.isWholeProgram()) {
        sources.add(new Source(className(b), b.code(), b, List.of(), List.of()));
        continue;
      }
      boolean members = b.marked("members");
      if (!members) {
        wrapper.append("  void block").append(b.line()).append("() throws Exception {\n");
      }
      lineMap.add(new int[] {(int) wrapper.chars().filter(c -> c == '\n').count() + 1, b.line()});
      mapped.add(b);
      wrapper.append(b.code());
      if (!members) {
        wrapper.append("  }\n");
      }
    }
    wrapper.append("}\n");
    sources.add(
        new Source("docs." + slug + ".Snippets", wrapper.toString(), null, lineMap, mapped));
    return sources;
  }

  /**
   * Compiles {@code sources} into {@code output} and returns the errors and warnings, each naming
   * the Markdown file and line it came from; empty when all compiled cleanly.
   */
  static List<String> compile(List<Source> sources, Path output, Path root) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    List<JavaFileObject> units = new ArrayList<>();
    for (Source s : sources) {
      units.add(
          new SimpleJavaFileObject(
              URI.create("string:///" + s.className().replace('.', '/') + ".java"),
              JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
              return s.text();
            }
          });
    }
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
      files.setLocation(StandardLocation.CLASS_OUTPUT, List.of(output.toFile()));
      List<String> options =
          List.of(
              "--release",
              "21",
              "-Xlint:all,-serial,-processing,-try",
              "-classpath",
              System.getProperty("java.class.path"));
      StringWriter javacOut = new StringWriter();
      boolean ok = javac.getTask(javacOut, files, diagnostics, options, null, units).call();
      List<String> problems = new ArrayList<>();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.ERROR
            || d.getKind() == Diagnostic.Kind.WARNING
            || d.getKind() == Diagnostic.Kind.MANDATORY_WARNING) {
          problems.add(locate(d, sources, root) + ": " + d.getMessage(Locale.ROOT));
        }
      }
      if (!ok && problems.isEmpty()) {
        problems.add("javac failed: " + javacOut);
      }
      return problems;
    }
  }

  private static String locate(
      Diagnostic<? extends JavaFileObject> d, List<Source> sources, Path root) {
    String name = d.getSource() == null ? "" : d.getSource().getName();
    for (Source s : sources) {
      if (!name.endsWith(s.className().replace('.', '/') + ".java")) {
        continue;
      }
      if (s.block() != null) {
        return s.block().file().getFileName() + ":" + (s.block().line() + d.getLineNumber());
      }
      for (int i = s.lineMap().size() - 1; i >= 0; i--) {
        int[] m = s.lineMap().get(i);
        if (d.getLineNumber() >= m[0]) {
          CodeBlock b = s.mapped().get(i);
          return b.where(root) + " (line " + (b.line() + d.getLineNumber() - m[0] + 1) + ")";
        }
      }
      return name + ":" + d.getLineNumber() + " (the snippets' wrapper)";
    }
    return name + ":" + d.getLineNumber();
  }
}
