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

  /**
   * The index where a line comment starting at i ends: at a newline or a carriage return, as in
   * PostgreSQL's lexer, or the end of the text.
   */
  static int lineCommentEnd(String sql, int i) {
    int n = sql.length();
    while (i < n && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
      i++;
    }
    return i;
  }

  /**
   * The index just past the block comment starting at i, or the end of the text when it is not
   * closed; with {@code nested}, comments inside count (as PostgreSQL's do), else the first {@code
   * *}{@code /} closes it (MariaDB, MySQL).
   */
  static int blockCommentEnd(String sql, int i, boolean nested) {
    int n = sql.length();
    int depth = 0;
    while (i < n) {
      if (sql.charAt(i) == '/' && i + 1 < n && sql.charAt(i + 1) == '*' && (nested || depth == 0)) {
        depth++;
        i += 2;
      } else if (sql.charAt(i) == '*' && i + 1 < n && sql.charAt(i + 1) == '/') {
        depth--;
        i += 2;
        if (depth == 0) {
          return i;
        }
      } else {
        i++;
      }
    }
    return i;
  }

  /**
   * The index just past the quoted part whose opening {@code quote} is at i: a doubled quote stands
   * for itself, and with {@code backslashEscapes} a backslash escapes the next character. An
   * unclosed part ends at the end of the text; the result may then exceed its length by one.
   */
  static int quotedEnd(String sql, int i, char quote, boolean backslashEscapes) {
    int n = sql.length();
    i++;
    while (i < n) {
      char c = sql.charAt(i);
      if (backslashEscapes && c == '\\') {
        i += 2;
      } else if (c == quote) {
        i++;
        if (i < n && sql.charAt(i) == quote) {
          i++; // a doubled quote stands for itself
        } else {
          return i;
        }
      } else {
        i++;
      }
    }
    return i;
  }
}
