package dev.txguard.examples.docs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One fenced code block of a Markdown file.
 *
 * @param file the Markdown file
 * @param line the line of the opening fence (1-based)
 * @param info the fence's info string, e.g. {@code java} or {@code java members}
 * @param code the block's text
 */
record CodeBlock(Path file, int line, String info, String code) {
  private static final Pattern FENCE = Pattern.compile("^(\\s*)```(.*)$");

  /** Every fenced block of {@code file}, in order. */
  static List<CodeBlock> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<CodeBlock> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher open = FENCE.matcher(lines.get(i));
      if (!open.matches()) {
        continue;
      }
      int start = i;
      StringBuilder code = new StringBuilder();
      for (i++; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
        code.append(lines.get(i).substring(Math.min(open.group(1).length(), leading(lines.get(i)))))
            .append('\n');
      }
      if (i == lines.size()) {
        throw new IllegalStateException(file + ":" + (start + 1) + ": code block never closed");
      }
      blocks.add(new CodeBlock(file, start + 1, open.group(2).strip(), code.toString()));
    }
    return blocks;
  }

  private static int leading(String line) {
    int n = 0;
    while (n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return n;
  }

  /** The block's language: the first word of the info string. */
  String language() {
    return info.isEmpty() ? "" : info.split("\\s+")[0];
  }

  /** Whether the info string carries {@code word} after the language (e.g. {@code members}). */
  boolean marked(String word) {
    List<String> words = List.of(info.split("\\s+"));
    return words.size() > 1 && words.subList(1, words.size()).contains(word);
  }

  /** A whole compilation unit: it starts with {@code package} or {@code import}. */
  boolean isWholeProgram() {
    String first =
        code.lines()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("//"))
            .findFirst()
            .orElse("");
    return first.startsWith("package ") || first.startsWith("import ");
  }

  /** Where the block is, for messages: {@code docs/queue.md:42}. */
  String where(Path root) {
    return root.relativize(file) + ":" + line;
  }
}
