package dev.txguard.cli.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table: columns get their widest cell; numeric columns are right-aligned. Identifiers
 * (queue, kind, group, owner, ids) and timestamps are never cut, since an operator copies them into
 * the next command: only columns of free text (error messages, outcomes) are shortened, the widest
 * first, their cells ending in {@code ...}, when a line would be wider than {@link #WIDTH}. A table
 * whose other columns need more than {@link #WIDTH} is printed wider.
 */
public final class TextTable {
  /** The widest line any command prints. */
  public static final int WIDTH = 100;

  private static final int GAP = 2;

  /** A free-text column is not cut below this (or its header's width). */
  private static final int MIN_FREE_TEXT = 10;

  private final List<String> headers;
  private final boolean[] right;
  private final boolean[] freeText;
  private final List<List<String>> rows = new ArrayList<>();

  /**
   * A table with these headers; a header starting with {@code >} is a right-aligned column, one
   * starting with {@code ~} a column of free text that may be cut (neither mark is shown). Every
   * other column is shown whole.
   */
  public TextTable(String... headers) {
    this.headers = new ArrayList<>();
    this.right = new boolean[headers.length];
    this.freeText = new boolean[headers.length];
    for (int i = 0; i < headers.length; i++) {
      right[i] = headers[i].startsWith(">");
      freeText[i] = headers[i].startsWith("~");
      this.headers.add(right[i] || freeText[i] ? headers[i].substring(1) : headers[i]);
    }
  }

  /** Adds a row; null cells print as {@code -}. */
  public TextTable row(Object... cells) {
    List<String> r = new ArrayList<>();
    for (Object c : cells) {
      r.add(c == null ? "-" : String.valueOf(c).replace('\n', ' '));
    }
    rows.add(r);
    return this;
  }

  /** Whether no row was added. */
  public boolean isEmpty() {
    return rows.isEmpty();
  }

  /**
   * The table, one line per row after the header; at most {@link #WIDTH} characters unless the
   * columns that are never cut need more.
   */
  public List<String> lines() {
    int n = headers.size();
    int[] width = new int[n];
    for (int i = 0; i < n; i++) {
      width[i] = headers.get(i).length();
      for (List<String> r : rows) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    while (total(width) > WIDTH) {
      int widest = widestFreeText(width);
      if (widest < 0) {
        break;
      }
      width[widest]--;
    }
    List<String> out = new ArrayList<>();
    out.add(line(headers, width));
    for (List<String> r : rows) {
      out.add(line(r, width));
    }
    return out;
  }

  /** The widest free-text column that may still give way, or -1 when none may. */
  private int widestFreeText(int[] width) {
    int widest = -1;
    for (int i = 0; i < width.length; i++) {
      boolean shrinkable =
          freeText[i] && width[i] > Math.max(MIN_FREE_TEXT, headers.get(i).length());
      if (shrinkable && (widest < 0 || width[i] > width[widest])) {
        widest = i;
      }
    }
    return widest;
  }

  private static int total(int[] width) {
    int t = GAP * (width.length - 1);
    for (int w : width) {
      t += w;
    }
    return t;
  }

  private String line(List<String> cells, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = fit(cells.get(i), width[i]);
      String pad = " ".repeat(width[i] - c.length());
      b.append(right[i] ? pad + c : (i == cells.size() - 1 ? c : c + pad));
      if (i < cells.size() - 1) {
        b.append(" ".repeat(GAP));
      }
    }
    return b.toString().stripTrailing();
  }

  /** {@code s} cut to {@code width}, ending in {@code ...} when cut. */
  public static String fit(String s, int width) {
    return s.length() <= width ? s : s.substring(0, Math.max(0, width - 3)) + "...";
  }

  /**
   * {@code text} broken into lines of at most {@code width} characters (hard breaks in long words).
   */
  public static List<String> wrap(String text, int width) {
    List<String> out = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      String rest = line;
      while (rest.length() > width) {
        int cut = rest.lastIndexOf(' ', width);
        if (cut <= width / 2) {
          cut = width;
        }
        out.add(rest.substring(0, cut));
        rest = rest.substring(cut).stripLeading();
      }
      out.add(rest);
    }
    return out;
  }
}
