package dev.txguard.internal.dialect;

/** The lexical tests a {@link SqlScan} shares, on a text and a position in it. Stateless. */
final class SqlLex {
  private SqlLex() {}

  /** The index just past a dollar-quote tag starting at i ({@code $$}, {@code $tag$}), or -1. */
  static int dollarTagEnd(String sql, int i) {
    int n = sql.length();
    int j = i + 1;
    if (j < n && Character.isDigit(sql.charAt(j))) {
      return -1; // $1 is a parameter
    }
    while (j < n && isWordPart(sql.charAt(j)) && sql.charAt(j) != '$') {
      j++;
    }
    return j < n && sql.charAt(j) == '$' ? j + 1 : -1;
  }

  /** Whether the quote at i opens an E'...' string, whose backslashes escape. */
  static boolean escapeStringPrefix(String sql, int i) {
    if (i == 0 || (sql.charAt(i - 1) != 'e' && sql.charAt(i - 1) != 'E')) {
      return false;
    }
    return i == 1 || !isWordPart(sql.charAt(i - 2));
  }

  /**
   * Identifier characters: letters, underscore, and any non-ASCII character (as PostgreSQL
   * accepts).
   */
  static boolean isWordStart(char c) {
    return Character.isLetter(c) || c == '_' || c >= 0x80;
  }

  static boolean isWordPart(char c) {
    return isWordStart(c) || Character.isDigit(c) || c == '$';
  }
}
