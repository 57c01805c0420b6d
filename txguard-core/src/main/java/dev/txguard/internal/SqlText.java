package dev.txguard.internal;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a piece of SQL text can do to a unit besides its data: end or open the unit's transaction
 * or change its options (refused inside a unit), or change its session (the connection is then
 * reset before anyone else gets it). Found by reading the text, with PostgreSQL's lexical rules for
 * comments, quotes and dollar quotes (PostgreSQL documentation, "Lexical Structure"); the verdict
 * of text seen before is cached. Thread-safe.
 *
 * <p>Transaction control is any statement (of a multi-statement string too) that begins with
 * {@code COMMIT}, {@code END}, {@code ROLLBACK}, {@code ABORT}, {@code BEGIN}, {@code START},
 * {@code SAVEPOINT}, {@code RELEASE} or {@code PREPARE TRANSACTION}, or that sets the current
 * transaction's characteristics ({@code SET TRANSACTION}, {@code SET [LOCAL|SESSION]
 * transaction_isolation}, {@code transaction_read_only}, {@code transaction_deferrable}).
 *
 * <p>A session change is a statement beginning with {@code SET} (not {@code SET LOCAL} or
 * {@code SET CONSTRAINTS}, which end with the transaction), {@code RESET}, {@code DISCARD},
 * {@code LISTEN}, {@code UNLISTEN}, {@code PREPARE}, {@code DEALLOCATE}, {@code DECLARE},
 * {@code LOAD}, {@code DO} or {@code CALL} (procedural code may do anything), or any text, quoted or
 * not, containing a name whose effect outlives the transaction: {@code set_config},
 * {@code pg_settings}, session-level advisory locks ({@code pg_advisory_lock...},
 * {@code pg_try_advisory_lock...}, {@code pg_advisory_unlock...}), {@code nextval}/{@code setval},
 * {@code temp}/{@code temporary}/{@code pg_temp...} and {@code dblink...}. Names are looked for in
 * string literals and dollar-quoted bodies too: a false alarm costs one reset, never a refusal.
 *
 * <p>Text with backslashes is read twice, once as PostgreSQL reads it with
 * {@code standard_conforming_strings} on and once with it off, and the verdicts are combined, so
 * that neither setting can hide a statement.
 */
final class SqlText {
  /** The verdict on a text: whether it controls the transaction, and whether it changes the session. */
  record Verdict(String control, boolean session) {
    static final Verdict CLEAN = new Verdict(null, false);
    static final Verdict SESSION = new Verdict(null, true);

    boolean clean() {
      return control == null && !session;
    }
  }

  /** Texts longer than this are read every time instead of being kept. */
  private static final int CACHED_LENGTH_LIMIT = 4096;
  private static final int CACHE_LIMIT = 4096;
  private static final ConcurrentHashMap<String, Verdict> CACHE = new ConcurrentHashMap<>();

  private static final Set<String> CONTROL =
      Set.of("commit", "end", "rollback", "abort", "begin", "start", "savepoint", "release");
  private static final Set<String> SESSION_LEADING = Set.of(
      "reset", "discard", "listen", "unlisten", "deallocate", "declare", "load", "do", "call");
  private static final Set<String> TRANSACTION_SETTINGS =
      Set.of("transaction_isolation", "transaction_read_only", "transaction_deferrable");
  private static final Set<String> SESSION_WORDS =
      Set.of("set_config", "pg_settings", "nextval", "setval", "temp", "temporary");
  private static final String[] SESSION_PREFIXES = {
      "pg_advisory_lock", "pg_try_advisory_lock", "pg_advisory_unlock", "pg_temp", "dblink"};
  /** Lower-case fragments whose presence anywhere in a text makes it worth reading quoted parts for names. */
  private static final String[] SESSION_FRAGMENTS = {
      "set_config", "pg_settings", "nextval", "setval", "temp", "advisory_lock", "advisory_unlock", "dblink"};

  private SqlText() {}

  /** The verdict on {@code sql}; never null. */
  static Verdict of(String sql) {
    Verdict cached = CACHE.get(sql);
    if (cached != null) {
      return cached;
    }
    Verdict verdict = read(sql);
    if (sql.length() <= CACHED_LENGTH_LIMIT) {
      if (CACHE.size() >= CACHE_LIMIT) {
        CACHE.clear(); // generated SQL must not pin memory or crowd out the hot statements for good
      }
      CACHE.put(sql, verdict);
    }
    return verdict;
  }

  private static Verdict read(String sql) {
    Verdict standard = new Scan(sql, false).run();
    if (sql.indexOf('\\') < 0) {
      return standard;
    }
    Verdict escaping = new Scan(sql, true).run();
    String control = standard.control() != null ? standard.control() : escaping.control();
    boolean session = standard.session() || escaping.session();
    return control == null ? (session ? Verdict.SESSION : Verdict.CLEAN) : new Verdict(control, session);
  }

  /** One pass over one text. */
  private static final class Scan {
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
    /** Inside the body of a {@code CREATE FUNCTION ... BEGIN ATOMIC ... END}, whose semicolons end no statement. */
    private int atomicDepth;
    private boolean routine;
    private String previous;
    private int previousEnd = -1;

    Scan(String sql, boolean backslashesEscape) {
      this.sql = sql;
      this.n = sql.length();
      this.backslashesEscape = backslashesEscape;
      this.lookInQuotes = mayNameSessionState(sql);
    }

    private static boolean mayNameSessionState(String sql) {
      String lower = sql.toLowerCase(Locale.ROOT);
      for (String fragment : SESSION_FRAGMENTS) {
        if (lower.contains(fragment)) {
          return true;
        }
      }
      return false;
    }

    Verdict run() {
      while (i < n && control == null) {
        char c = sql.charAt(i);
        if (c == ';') {
          if (atomicDepth == 0) {
            wordInStatement = 0;
            leading = null;
            second = null;
            routine = false;
          }
          i++;
        } else if (c == '-' && peek(1) == '-') {
          skipLineComment();
        } else if (c == '/' && peek(1) == '*') {
          skipBlockComment();
        } else if (c == '\'') {
          quoted('\'', backslashesEscape || escapeStringPrefix());
        } else if (c == '"') {
          quotedIdentifier();
        } else if (c == '$' && dollarTagEnd() > 0) {
          dollarQuoted();
        } else if (isWordStart(c)) {
          int start = i;
          while (i < n && isWordPart(sql.charAt(i))) {
            i++;
          }
          word(sql.substring(start, i).toLowerCase(Locale.ROOT), start);
        } else {
          i++;
        }
      }
      if (control != null) {
        return new Verdict(control, session);
      }
      return session ? Verdict.SESSION : Verdict.CLEAN;
    }

    private void word(String w, int start) {
      wordInStatement++;
      if (atomicDepth == 0 && wordInStatement == 1) {
        leading = w;
        if (CONTROL.contains(w)) {
          control = w.toUpperCase(Locale.ROOT);
        } else if (SESSION_LEADING.contains(w)) {
          session = true;
        }
      } else if (atomicDepth == 0 && wordInStatement == 2) {
        second = w;
        second(w);
      } else if (atomicDepth == 0 && wordInStatement == 3 && "set".equals(leading)
          && ("local".equals(second) || "session".equals(second)) && TRANSACTION_SETTINGS.contains(w)) {
        control = "SET " + w;
      }
      if ("create".equals(leading)) {
        trackAtomicBody(w, start);
      }
      if (isSessionName(w)) {
        session = true;
      }
      previous = w;
      previousEnd = i;
    }

    private void second(String w) {
      if ("set".equals(leading)) {
        if ("transaction".equals(w)) {
          control = "SET TRANSACTION";
        } else if (TRANSACTION_SETTINGS.contains(w)) {
          control = "SET " + w;
        } else if (!"local".equals(w) && !"constraints".equals(w)) {
          session = true;
        }
      } else if ("prepare".equals(leading)) {
        if ("transaction".equals(w)) {
          control = "PREPARE TRANSACTION";
        } else {
          session = true;
        }
      }
    }

    /**
     * Counts BEGIN ATOMIC ... END nesting (CASE ... END counts too) in a CREATE FUNCTION or CREATE
     * PROCEDURE statement; only {@code BEGIN} followed by nothing but blanks and then
     * {@code ATOMIC} opens a body.
     */
    private void trackAtomicBody(String w, int start) {
      if ("function".equals(w) || "procedure".equals(w)) {
        routine = true;
      }
      boolean opens = "atomic".equals(w) && "begin".equals(previous) && sql.substring(previousEnd, start).isBlank();
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

    private static boolean isSessionName(String w) {
      if (SESSION_WORDS.contains(w)) {
        return true;
      }
      for (String prefix : SESSION_PREFIXES) {
        if (w.startsWith(prefix)) {
          return true;
        }
      }
      return false;
    }

    /** Whether quoted text contains a session name as a word of its own. */
    private void lookForNames(int from, int to) {
      if (!lookInQuotes || session) {
        return;
      }
      int j = from;
      while (j < to) {
        if (isWordStart(sql.charAt(j))) {
          int start = j;
          while (j < to && isWordPart(sql.charAt(j))) {
            j++;
          }
          if (isSessionName(sql.substring(start, j).toLowerCase(Locale.ROOT))) {
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

    /** A -- comment ends at a newline or a carriage return, as in PostgreSQL's lexer. */
    private void skipLineComment() {
      while (i < n && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
        i++;
      }
    }

    private void skipBlockComment() {
      int depth = 0;
      while (i < n) {
        if (sql.charAt(i) == '/' && peek(1) == '*') {
          depth++;
          i += 2;
        } else if (sql.charAt(i) == '*' && peek(1) == '/') {
          depth--;
          i += 2;
          if (depth == 0) {
            return;
          }
        } else {
          i++;
        }
      }
    }

    /** Skips a quoted part (opening quote at i) and returns where its content started. */
    private int skipQuoted(char quote, boolean backslashEscapes) {
      int from = ++i;
      while (i < n) {
        char c = sql.charAt(i);
        if (backslashEscapes && c == '\\') {
          i += 2;
        } else if (c == quote) {
          i++;
          if (i < n && sql.charAt(i) == quote) {
            i++; // a doubled quote stands for itself
          } else {
            return from;
          }
        } else {
          i++;
        }
      }
      return from;
    }

    private void quoted(char quote, boolean backslashEscapes) {
      int from = skipQuoted(quote, backslashEscapes);
      lookForNames(from, Math.min(i, n));
    }

    /** A quoted identifier is a word: {@code set "statement_timeout" = 5} and {@code "set_config"(...)} count. */
    private void quotedIdentifier() {
      int start = i;
      int from = skipQuoted('"', false);
      int to = Math.max(from, Math.min(i, n) - 1);
      word(sql.substring(from, to).replace("\"\"", "\"").toLowerCase(Locale.ROOT), start);
    }

    /** The index just past a dollar-quote tag starting at i ({@code $$}, {@code $tag$}), or -1. */
    private int dollarTagEnd() {
      int j = i + 1;
      if (j < n && Character.isDigit(sql.charAt(j))) {
        return -1; // $1 is a parameter
      }
      while (j < n && isWordPart(sql.charAt(j)) && sql.charAt(j) != '$') {
        j++;
      }
      return j < n && sql.charAt(j) == '$' ? j + 1 : -1;
    }

    private void dollarQuoted() {
      int end = dollarTagEnd();
      String tag = sql.substring(i, end);
      int close = sql.indexOf(tag, end);
      int to = close < 0 ? n : close;
      lookForNames(end, to);
      i = close < 0 ? n : close + tag.length();
    }

    /** Whether the quote at i opens an E'...' string, whose backslashes escape. */
    private boolean escapeStringPrefix() {
      if (i == 0 || (sql.charAt(i - 1) != 'e' && sql.charAt(i - 1) != 'E')) {
        return false;
      }
      return i == 1 || !isWordPart(sql.charAt(i - 2));
    }

    /** Identifier characters: letters, underscore, and any non-ASCII character (as PostgreSQL accepts). */
    private static boolean isWordStart(char c) {
      return Character.isLetter(c) || c == '_' || c >= 0x80;
    }

    private static boolean isWordPart(char c) {
      return isWordStart(c) || Character.isDigit(c) || c == '$';
    }
  }
}
