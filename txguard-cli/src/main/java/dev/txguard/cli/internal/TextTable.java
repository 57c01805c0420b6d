package dev.txguard.cli.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table that fits {@link #WIDTH} columns: columns get their widest cell, and when the
 * row is too wide the widest column is shortened (its cells end in {@code ...}) until it fits.
 * Numeric columns are right-aligned.
 */
public final class TextTable {
  /** The widest line any command prints. */
  public static final int WIDTH = 100;

  private static final int GAP = 2;
  private final List<String> headers;
  private final boolean[] right;
  private final List<List<String>> rows = new ArrayList<>();

  /**
   * A table with these headers; a header starting with {@code >} is a right-aligned column (the
   * {@code >} is not shown).
   */
  public TextTable(String... headers) {
    this.headers = new ArrayList<>();
    this.right = new boolean[headers.length];
    for (int i = 0; i < headers.length; i++) {
      right[i] = headers[i].startsWith(">");
      this.headers.add(right[i] ? headers[i].substring(1) : headers[i]);
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

  /** The table, one line per row after the header, each at most {@link #WIDTH} characters. */
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
      int widest = 0;
      for (int i = 1; i < n; i++) {
        if (width[i] > width[widest]) {
          widest = i;
        }
      }
      if (width[widest] <= 4) {
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
