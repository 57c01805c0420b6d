package dev.txguard.internal.dialect;

import java.util.Locale;
import java.util.Set;

/**
 * One pass of a {@link SqlReader} over one text: skips comments and quoted parts by the rules'
 * lexical forms, and judges each statement by its first words. Confined to one call. One class on
 * purpose, though longer than the usual 300 lines: it is the lexer every new statement text passes
 * through once (the verdict is then cached per text), and its states share one position and one
 * text.
 */
final class SqlScan {
  /** The leading words of statements that only read, see {@link SqlVerdict#readsOnly()}. */
  private static final Set<String> READING = Set.of("select", "values", "table", "show");

  private final SqlRules rules;
  private final String sql;
  private final int n;

  /** Whether backslashes escape in every string literal (standard_conforming_strings off). */
  private final boolean backslashesEscape;

  /** Whether names may hide in quoted parts: only then are quoted parts read for them. */
  private final boolean lookInQuotes;

  private int i;

  /** Words seen so far in the current statement. */
  private int wordInStatement;

  private String leading;
  private String second;
  private String control;
  private boolean session;

  /** A statement began with a word: a text of nothing but blanks and comments reads nothing. */
  private boolean sawStatement;

  /** A statement may write, see {@link SqlVerdict#readsOnly()}. */
  private boolean mayWrite;

  /**
   * Inside the body of a {@code CREATE FUNCTION ... BEGIN ATOMIC ... END}, whose semicolons end no
   * statement.
   */
  private int atomicDepth;

  private boolean routine;
  private String previous;
  private int previousEnd = -1;

  /** In a SET statement under {@link SqlRules#setLists()}: the depth of parentheses. */
  private int parens;

  /** In the variable list of a {@code SET STATEMENT ... FOR}, before its FOR. */
  private boolean setStatement;

  SqlScan(SqlRules rules, String sql, boolean backslashesEscape) {
    this.rules = rules;
    this.sql = sql;
    this.n = sql.length();
    this.backslashesEscape = backslashesEscape;
    this.lookInQuotes = mayNameSessionState(rules, sql);
  }

  private static boolean mayNameSessionState(SqlRules rules, String sql) {
    String lower = sql.toLowerCase(Locale.ROOT);
    for (String fragment : rules.fragments()) {
      if (lower.contains(fragment)) {
        return true;
      }
    }
    return false;
  }

  SqlVerdict run() {
    while (i < n && control == null) {
      step(sql.charAt(i));
    }
    return SqlVerdict.of(control, session, sawStatement && !mayWrite);
  }

  /** Reads the token starting at {@code i} with character {@code c}. */
  private void step(char c) {
    if (c == ';') {
      endOfStatement();
    } else if ((c == '-' && peek(1) == '-' && dashCommentHere())
        || (c == '#' && rules.hashComments())) {
      i = SqlLex.lineCommentEnd(sql, i);
    } else if (c == '/' && executableCommentHere()) {
      // executed by the server: read what is inside (its version number is a number)
      i += peek(2) == '!' ? 3 : 4;
    } else if (c == '/' && peek(1) == '*') {
      i = SqlLex.blockCommentEnd(sql, i, rules.nestedBlockComments());
    } else if (c == '\'') {
      quoted('\'', backslashesEscape || SqlLex.escapeStringPrefix(sql, i));
    } else if (c == '"' || (c == '`' && rules.backtickIdentifiers())) {
      quotedIdentifier(c);
    } else if (c == '$' && rules.dollarQuotes() && SqlLex.dollarTagEnd(sql, i) > 0) {
      dollarQuoted();
    } else if (c == ':' && peek(1) == '=' && rules.colonAssignments()) {
      session = true; // SELECT @v := 1 sets a user variable, which outlives the transaction
      i += 2;
    } else if (rules.setLists() && "set".equals(leading) && (c == ',' || c == '(' || c == ')')) {
      setListPunctuation(c);
    } else if (SqlLex.isWordStart(c)) {
      bareWord();
    } else {
      i++;
    }
  }

  /**
   * Whether the {@code /} at {@code i} opens a comment the server executes under {@link
   * SqlRules#executableComments()}: {@code /*!} or {@code /*M!}.
   */
  private boolean executableCommentHere() {
    return peek(1) == '*'
        && rules.executableComments()
        && (peek(2) == '!' || (peek(2) == 'M' && peek(3) == '!'));
  }

  /**
   * Whether the {@code --} at {@code i} starts a comment: always, or under {@link
   * SqlRules#dashCommentNeedsBlank()} only before a blank, a control character or the end of the
   * text (MariaDB documentation, "Comment Syntax"; {@code 1--1} is an expression there).
   */
  private boolean dashCommentHere() {
    if (!rules.dashCommentNeedsBlank() || i + 2 >= n) {
      return true;
    }
    char next = sql.charAt(i + 2);
    return next <= ' ' || next == 0x7f;
  }

  /** The bare word after index {@code from}, past blanks only, in lower case; empty if none. */
  private String nextWord(int from) {
    int j = from;
    while (j < n && Character.isWhitespace(sql.charAt(j))) {
      j++;
    }
    int start = j;
    while (j < n && SqlLex.isWordPart(sql.charAt(j))) {
      j++;
    }
    return sql.substring(start, j).toLowerCase(Locale.ROOT);
  }

  /** Whether a label's colon (not {@code :=}) follows index {@code from}, past blanks only. */
  private boolean labelColonAfter(int from) {
    int j = from;
    while (j < n && Character.isWhitespace(sql.charAt(j))) {
      j++;
    }
    return j < n && sql.charAt(j) == ':' && (j + 1 >= n || sql.charAt(j + 1) != '=');
  }

  private void bareWord() {
    int start = i;
    while (i < n && SqlLex.isWordPart(sql.charAt(i))) {
      i++;
    }
    word(sql.substring(start, i).toLowerCase(Locale.ROOT), start);
  }

  private void endOfStatement() {
    if (atomicDepth == 0) {
      newStatement();
      routine = false;
    }
    i++;
  }

  private void newStatement() {
    wordInStatement = 0;
    leading = null;
    second = null;
    parens = 0;
    setStatement = false;
  }

  /**
   * A comma outside parentheses in a SET starts another assignment (MariaDB "SET": {@code SET @x =
   * 1, autocommit = 1}): the next word is read as the first after SET again. Not in SET STATEMENT's
   * list, whose settings last one statement.
   */
  private void setListPunctuation(char c) {
    if (c == '(') {
      parens++;
    } else if (c == ')') {
      parens = Math.max(0, parens - 1);
    } else if (parens == 0 && !setStatement) {
      wordInStatement = 1;
    }
    i++;
  }

  private void word(String w, int start) {
    if (setStatement && parens == 0 && "for".equals(w)) {
      newStatement(); // SET STATEMENT ... FOR stmt runs stmt: it is read as a statement of its own
      return;
    }
    wordInStatement++;
    if ("into".equals(w)) {
      mayWrite = true; // SELECT ... INTO t creates a table; anywhere, on the safe side
    }
    if (atomicDepth == 0 && wordInStatement == 1) {
      first(w);
    } else if (atomicDepth == 0 && wordInStatement == 2) {
      second = w;
      second(w, start);
    } else if (atomicDepth == 0
        && wordInStatement == 3
        && "set".equals(leading)
        && ("local".equals(second) || "session".equals(second))
        && rules.transactionSettings().contains(w)) {
      control = setting(w);
    }
    if (rules.atomicBodies() && "create".equals(leading)) {
      trackAtomicBody(w, start);
    }
    if (rules.isSessionName(w) && !transactionLocalSetConfig(w)) {
      session = true;
    }
    previous = w;
    previousEnd = i;
  }

  /**
   * Whether {@code w}, the word just read, is {@code set_config} called as {@code
   * set_config('name', 'value', true)}: two plain string constants and the constant {@code true}
   * for is_local, blanks allowed between them. Its value "will only apply to the current
   * transaction" (PostgreSQL documentation, "Configuration Settings Functions"), as a {@code SET
   * LOCAL}'s, which {@link SqlRules#transactionScopedSet()} already does not count; so it changes
   * no session. Any other form (is_local false, a parameter or an expression, an {@code E''}
   * string, a comment inside the call) still counts as a session change: the text alone cannot
   * tell.
   */
  private boolean transactionLocalSetConfig(String w) {
    if (!"set_config".equals(w)) {
      return false;
    }
    int j = punctuation(i, '(');
    j = j < 0 ? -1 : stringConstant(j);
    j = j < 0 ? -1 : punctuation(j, ',');
    j = j < 0 ? -1 : stringConstant(j);
    j = j < 0 ? -1 : punctuation(j, ',');
    j = j < 0 ? -1 : blanks(j);
    if (j < 0 || !sql.regionMatches(true, j, "true", 0, 4)) {
      return false;
    }
    j += 4;
    return (j >= n || !SqlLex.isWordPart(sql.charAt(j))) && punctuation(j, ')') > 0;
  }

  /** The index past {@code c} if it follows {@code from} after blanks only, else -1. */
  private int punctuation(int from, char c) {
    int j = blanks(from);
    return j < n && sql.charAt(j) == c ? j + 1 : -1;
  }

  /** The index past a plain {@code '...'} string after {@code from} (blanks only), else -1. */
  private int stringConstant(int from) {
    int j = blanks(from);
    if (j >= n || sql.charAt(j) != '\'') {
      return -1;
    }
    int end = SqlLex.quotedEnd(sql, j, '\'', backslashesEscape);
    return end <= n && sql.charAt(end - 1) == '\'' && end - j >= 2 ? end : -1;
  }

  /**
   * The index of the first character at or after {@code from} that is not PostgreSQL whitespace
   * (space, tab, newline, carriage return, form feed, vertical tab: the lexer's set; other Unicode
   * spaces are identifier characters to it).
   */
  private int blanks(int from) {
    int j = from;
    while (j < n && " \t\n\r\f\u000B".indexOf(sql.charAt(j)) >= 0) {
      j++;
    }
    return j;
  }

  private void first(String w) {
    leading = w;
    sawStatement = true;
    if (!READING.contains(w)) {
      mayWrite = true;
    }
    String compound = compound(w);
    if (compound != null) {
      control = compound + ", a compound statement,";
    } else if (rules.control().contains(w)) {
      control = w.toUpperCase(Locale.ROOT);
    } else if (rules.implicitCommit().contains(w)) {
      control = w.toUpperCase(Locale.ROOT) + ", which commits implicitly,";
    } else if (rules.unreadable().contains(w)) {
      control =
          w.toUpperCase(Locale.ROOT)
              + ", which runs SQL text txguard cannot read and so may commit implicitly,";
    } else if (rules.sessionLeading().contains(w)) {
      session = true;
    }
  }

  /**
   * The name of the compound statement leading word {@code w} opens under {@link
   * SqlRules#compound()}, or null: one of those words, {@code BEGIN NOT ATOMIC}, or a label ({@code
   * name:}) (MariaDB documentation, "Using Compound Statements Outside of Stored Programs").
   */
  private String compound(String w) {
    if (rules.compound().isEmpty()) {
      return null;
    }
    if (rules.compound().contains(w)) {
      return w.toUpperCase(Locale.ROOT);
    }
    if ("begin".equals(w) && "not".equals(nextWord(i))) {
      return "BEGIN NOT ATOMIC";
    }
    if (labelColonAfter(i)) {
      return "a label (" + w + ":)";
    }
    return null;
  }

  private void second(String w, int start) {
    if ("set".equals(leading)) {
      setStatement = rules.setLists() && "statement".equals(w);
      if (rules.committingSet().contains(w) && (start == 0 || sql.charAt(start - 1) != '@')) {
        control =
            "SET "
                + w.toUpperCase(Locale.ROOT)
                + ("role".equals(nextWord(i)) ? " ROLE" : "")
                + ", which commits implicitly,";
      } else if ("transaction".equals(w)) {
        control = "SET TRANSACTION";
      } else if (rules.transactionSettings().contains(w)) {
        control = setting(w);
      } else if (!rules.transactionScopedSet().contains(w)) {
        session = true;
      }
    } else if ("reset".equals(leading) && rules.transactionSettings().contains(w)) {
      control = "RESET " + w; // RESET transaction_read_only makes a read-only unit read-write
    } else if ("prepare".equals(leading)) {
      if ("transaction".equals(w)) {
        control = "PREPARE TRANSACTION";
      } else {
        session = true;
      }
    }
  }

  /**
   * The control a SET of transaction setting {@code w} is named by; one that commits says so
   * (MariaDB's autocommit).
   */
  private String setting(String w) {
    return "SET " + w + (rules.implicitCommit().contains(w) ? ", which commits implicitly," : "");
  }

  /**
   * Counts BEGIN ATOMIC ... END nesting (CASE ... END counts too) in a CREATE FUNCTION or CREATE
   * PROCEDURE statement; only {@code BEGIN} followed by nothing but blanks and then {@code ATOMIC}
   * opens a body.
   */
  private void trackAtomicBody(String w, int start) {
    if ("function".equals(w) || "procedure".equals(w)) {
      routine = true;
    }
    boolean opens =
        "atomic".equals(w)
            && "begin".equals(previous)
            && sql.substring(previousEnd, start).isBlank();
    if (atomicDepth == 0) {
      if (opens && routine) {
        atomicDepth = 1;
      }
    } else if (opens || "case".equals(w)) {
      atomicDepth++;
    } else if ("end".equals(w)) {
      atomicDepth--;
    }
  }

  /** Whether quoted text contains a session name as a word of its own. */
  private void lookForNames(int from, int to) {
    if (!lookInQuotes || session) {
      return;
    }
    int j = from;
    while (j < to) {
      if (SqlLex.isWordStart(sql.charAt(j))) {
        int start = j;
        while (j < to && SqlLex.isWordPart(sql.charAt(j))) {
          j++;
        }
        if (rules.isSessionName(sql.substring(start, j).toLowerCase(Locale.ROOT))) {
          session = true;
          return;
        }
      } else {
        j++;
      }
    }
  }

  private char peek(int ahead) {
    return i + ahead < n ? sql.charAt(i + ahead) : '\0';
  }

  private void quoted(char quote, boolean backslashEscapes) {
    int from = i + 1;
    i = SqlLex.quotedEnd(sql, i, quote, backslashEscapes);
    lookForNames(from, Math.min(i, n));
  }

  /**
   * A quoted identifier is a word: {@code set "statement_timeout" = 5} and {@code
   * "set_config"(...)} count.
   */
  private void quotedIdentifier(char quote) {
    if (wordInStatement == 0) {
      mayWrite = true; // "select" is a name, not the keyword
    }
    int start = i;
    int from = i + 1;
    i = SqlLex.quotedEnd(sql, i, quote, false);
    int to = Math.max(from, Math.min(i, n) - 1);
    String doubled = String.valueOf(quote) + quote;
    word(
        sql.substring(from, to).replace(doubled, String.valueOf(quote)).toLowerCase(Locale.ROOT),
        start);
  }

  private void dollarQuoted() {
    int end = SqlLex.dollarTagEnd(sql, i);
    String tag = sql.substring(i, end);
    int close = sql.indexOf(tag, end);
    int to = close < 0 ? n : close;
    lookForNames(end, to);
    i = close < 0 ? n : close + tag.length();
  }
}
