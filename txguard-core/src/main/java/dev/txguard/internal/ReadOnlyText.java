package dev.txguard.internal;

/**
 * Whether a statement's text shows it only reads: its first keyword (after whitespace, comments and
 * opening parentheses) is {@code SELECT} without an {@code INTO} anywhere in the text ({@code
 * SELECT ... INTO t} creates a table), {@code VALUES}, {@code TABLE} or {@code SHOW}. Everything
 * else may write, including {@code WITH} (a data-modifying CTE), {@code EXPLAIN} ({@code ANALYZE}
 * runs the statement) and {@code CALL}. A guess on the safe side for one purpose: a unit whose
 * statements all read by this test does not ask for its transaction id before COMMIT ({@link
 * CommitResolver}), so a wrong "reads" (a {@code SELECT} of a function that writes) only leaves a
 * lost COMMIT unresolved, never misreported. Stateless; a scan of the text, no allocation.
 */
final class ReadOnlyText {
  private ReadOnlyText() {}

  /**
   * @param sql a statement's text, or null (which may write: its text is unknown)
   * @return true if the text, by its first keyword, only reads
   */
  static boolean readsOnly(String sql) {
    if (sql == null) {
      return false;
    }
    int i = start(sql);
    if (keyword(sql, i, "select")) {
      return !containsWord(sql, i + 6, "into");
    }
    return keyword(sql, i, "values") || keyword(sql, i, "table") || keyword(sql, i, "show");
  }

  /** The index of the first keyword: past whitespace, comments and opening parentheses. */
  private static int start(String sql) {
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c) || c == '(') {
        i++;
      } else if (sql.startsWith("--", i)) {
        int eol = sql.indexOf('\n', i);
        i = eol < 0 ? n : eol + 1;
      } else if (sql.startsWith("/*", i)) {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else {
        return i;
      }
    }
    return n;
  }

  /** Whether {@code word} (lower case) stands at {@code i}, as a whole word, in any case. */
  private static boolean keyword(String sql, int i, String word) {
    return sql.regionMatches(true, i, word, 0, word.length())
        && !isWordChar(sql, i + word.length());
  }

  private static boolean containsWord(String sql, int from, String word) {
    for (int i = from; i + word.length() <= sql.length(); i++) {
      if (keyword(sql, i, word) && !isWordChar(sql, i - 1)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isWordChar(String sql, int i) {
    if (i < 0 || i >= sql.length()) {
      return false;
    }
    char c = sql.charAt(i);
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }
}
