package dev.txguard.internal;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a piece of SQL text can do to a unit besides its data: end or open the unit's transaction
 * (refused inside a unit), or change its session (the connection is then reset before anyone else
 * gets it). Found by reading the text once, outside string literals, quoted identifiers, dollar
 * quotes and comments; the verdict of text seen before is cached. Thread-safe.
 *
 * <p>Transaction control is any statement (of a multi-statement string too) that begins with
 * {@code COMMIT}, {@code END}, {@code ROLLBACK}, {@code ABORT}, {@code BEGIN}, {@code START},
 * {@code SAVEPOINT}, {@code RELEASE} or {@code PREPARE TRANSACTION}. A session change is a statement
 * beginning with {@code SET} (not {@code SET LOCAL}, {@code SET TRANSACTION} or {@code SET
 * CONSTRAINTS}, which end with the transaction), {@code RESET}, {@code DISCARD}, {@code LISTEN},
 * {@code UNLISTEN}, {@code PREPARE}, {@code DEALLOCATE}, {@code DECLARE} or {@code LOAD}, or any
 * text naming a function or word whose effect outlives the transaction: {@code set_config},
 * session-level advisory locks ({@code pg_advisory_lock...}, {@code pg_try_advisory_lock...},
 * {@code pg_advisory_unlock...}), {@code nextval}/{@code setval},
 * {@code temp}/{@code temporary}/{@code pg_temp...} and {@code dblink...}. A false alarm (a column
 * named {@code temp}) costs one reset; nothing is refused by a false alarm.
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

  private static final int CACHE_LIMIT = 4096;
  private static final ConcurrentHashMap<String, Verdict> CACHE = new ConcurrentHashMap<>();

  private static final Set<String> CONTROL =
      Set.of("commit", "end", "rollback", "abort", "begin", "start", "savepoint", "release");
  private static final Set<String> SESSION_LEADING = Set.of(
      "reset", "discard", "listen", "unlisten", "deallocate", "declare", "load");
  private static final Set<String> SET_SCOPED_TO_TRANSACTION = Set.of("local", "transaction", "constraints");
  private static final Set<String> SESSION_WORDS = Set.of(
      "set_config", "nextval", "setval", "temp", "temporary");
  private static final String[] SESSION_PREFIXES = {
      "pg_advisory_lock", "pg_try_advisory_lock", "pg_advisory_unlock", "pg_temp", "dblink"};

  private SqlText() {}

  /** The verdict on {@code sql}; never null. */
  static Verdict of(String sql) {
    Verdict cached = CACHE.get(sql);
    if (cached != null) {
      return cached;
    }
    Verdict verdict = new Scan(sql).run();
    if (CACHE.size() < CACHE_LIMIT) {
      CACHE.put(sql, verdict);
    }
    return verdict;
  }

  /** One pass over one text. */
  private static final class Scan {
    private final String sql;
    private final int n;
    private int i;
    /** Words seen so far in the current statement. */
    private int wordInStatement;
    private String leading;
    private String control;
    private boolean session;
    /** Inside the body of a {@code CREATE ... BEGIN ATOMIC ... END}, whose semicolons end no statement. */
    private int atomicDepth;
    private String previous;

    Scan(String sql) {
      this.sql = sql;
      this.n = sql.length();
    }

    Verdict run() {
      while (i < n && control == null) {
        char c = sql.charAt(i);
        if (c == ';') {
          if (atomicDepth == 0) {
            wordInStatement = 0;
            leading = null;
          }
          i++;
        } else if (c == '-' && peek(1) == '-') {
          skipLineComment();
        } else if (c == '/' && peek(1) == '*') {
          skipBlockComment();
        } else if (c == '\'') {
          skipQuoted('\'', escapeStringPrefix());
        } else if (c == '"') {
          skipQuoted('"', false);
        } else if (c == '$' && dollarTagEnd() > 0) {
          skipDollarQuoted();
        } else if (isWordStart(c)) {
          word();
        } else {
          i++;
        }
      }
      if (control != null) {
        return new Verdict(control, session);
      }
      return session ? Verdict.SESSION : Verdict.CLEAN;
    }

    private void word() {
      int start = i;
      while (i < n && isWordPart(sql.charAt(i))) {
        i++;
      }
      // a word glued to a preceding E of an E'...' string is handled by the quote branch
      String w = sql.substring(start, i).toLowerCase(Locale.ROOT);
      wordInStatement++;
      if (wordInStatement == 1) {
        leading = w;
        if (CONTROL.contains(w)) {
          control = w.toUpperCase(Locale.ROOT);
        } else if (SESSION_LEADING.contains(w)) {
          session = true;
        }
      } else if (wordInStatement == 2) {
        second(w);
      }
      if ("create".equals(leading)) {
        trackAtomicBody(w);
      }
      previous = w;
      if (SESSION_WORDS.contains(w) || hasSessionPrefix(w)) {
        session = true;
      }
    }

    private void second(String w) {
      if ("set".equals(leading) && !SET_SCOPED_TO_TRANSACTION.contains(w)) {
        session = true;
      } else if ("prepare".equals(leading)) {
        if ("transaction".equals(w)) {
          control = "PREPARE TRANSACTION";
        } else {
          session = true;
        }
      }
    }

    /** Counts BEGIN ATOMIC ... END nesting (CASE ... END counts too) inside a CREATE statement. */
    private void trackAtomicBody(String w) {
      if (atomicDepth == 0) {
        if ("atomic".equals(w) && "begin".equals(previous)) {
          atomicDepth = 1;
        }
      } else if ("case".equals(w) || ("atomic".equals(w) && "begin".equals(previous))) {
        atomicDepth++;
      } else if ("end".equals(w)) {
        atomicDepth--;
      }
    }

    /** Whether the quote at i opens an E'...' string, whose backslashes escape. */
    private boolean escapeStringPrefix() {
      if (i == 0 || (sql.charAt(i - 1) != 'e' && sql.charAt(i - 1) != 'E')) {
        return false;
      }
      return i == 1 || !isWordPart(sql.charAt(i - 2));
    }

    private static boolean hasSessionPrefix(String w) {
      for (String prefix : SESSION_PREFIXES) {
        if (w.startsWith(prefix)) {
          return true;
        }
      }
      return false;
    }

    private char peek(int ahead) {
      return i + ahead < n ? sql.charAt(i + ahead) : '\0';
    }

    private void skipLineComment() {
      while (i < n && sql.charAt(i) != '\n') {
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

    private void skipQuoted(char quote, boolean backslashEscapes) {
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
            return;
          }
        } else {
          i++;
        }
      }
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

    private void skipDollarQuoted() {
      int end = dollarTagEnd();
      String tag = sql.substring(i, end);
      int close = sql.indexOf(tag, end);
      i = close < 0 ? n : close + tag.length();
    }

    private static boolean isWordStart(char c) {
      return Character.isLetter(c) || c == '_';
    }

    private static boolean isWordPart(char c) {
      return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }
  }
}
