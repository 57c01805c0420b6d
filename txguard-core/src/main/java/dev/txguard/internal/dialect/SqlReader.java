package dev.txguard.internal.dialect;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads SQL text for what it can do to a unit besides its data (see {@link SqlVerdict}), by one
 * database's {@link SqlRules}; the verdict of text seen before is cached. Thread-safe.
 *
 * <p>Text with backslashes is read twice, once with backslashes as ordinary characters in string
 * literals and once with them escaping (PostgreSQL's {@code standard_conforming_strings} on and
 * off; MariaDB's {@code NO_BACKSLASH_ESCAPES} set and not), and the verdicts are combined, so that
 * neither setting can hide a statement. Names are looked for in string literals and quoted bodies
 * too: a false alarm costs one reset, never a refusal.
 */
public final class SqlReader {
  /**
   * Texts longer than this many characters are read every time instead of being kept: 64 Ki, room
   * for statements with long comments (the job queue's claim is about 5,200 characters, read before
   * every claim when the limit was 4,096) while one generated text cannot take a large part of the
   * {@link #CACHED_CHARS_LIMIT}.
   */
  static final int CACHED_LENGTH_LIMIT = 64 * 1024;

  /** The most texts kept; a text that would pass it empties the cache first. */
  static final int CACHE_LIMIT = 4096;

  /**
   * The most characters of text kept (4 Mi: 4 to 8 MiB of strings); a text that would pass it
   * empties the cache first, as {@link #CACHE_LIMIT} does, so that generated SQL cannot pin memory
   * or crowd out the hot statements for good.
   */
  static final long CACHED_CHARS_LIMIT = 4L * 1024 * 1024;

  private final SqlRules rules;

  /** Read without a lock; changed only under {@link #adding}. */
  private final ConcurrentHashMap<String, SqlVerdict> cache = new ConcurrentHashMap<>();

  /**
   * Held while a text is added, so that the count and the characters kept stay within their limits
   * and {@link #cachedChars} stays exact: only a text seen for the first time (or again after the
   * cache was emptied) takes it, after it was read.
   */
  private final Object adding = new Object();

  /** Characters of the texts in {@link #cache}; guarded by {@link #adding}. */
  private long cachedChars;

  /** The most texts this reader keeps ({@link #CACHE_LIMIT} but in tests). */
  private final int cacheLimit;

  /** The most characters this reader keeps ({@link #CACHED_CHARS_LIMIT} but in tests). */
  private final long charsLimit;

  /** A reader by {@code rules}. */
  public SqlReader(SqlRules rules) {
    this(rules, CACHE_LIMIT, CACHED_CHARS_LIMIT);
  }

  /**
   * A reader by {@code rules} that keeps at most {@code cacheLimit} texts and {@code charsLimit}
   * characters; for tests.
   */
  SqlReader(SqlRules rules, int cacheLimit, long charsLimit) {
    this.rules = rules;
    this.cacheLimit = cacheLimit;
    this.charsLimit = charsLimit;
  }

  /** The verdict on {@code sql}; never null. */
  public SqlVerdict verdict(String sql) {
    SqlVerdict cached = cache.get(sql);
    if (cached != null) {
      return cached;
    }
    SqlVerdict verdict = read(sql);
    if (sql.length() <= CACHED_LENGTH_LIMIT) {
      synchronized (adding) {
        if (!cache.containsKey(sql)) {
          if (cache.size() >= cacheLimit || cachedChars + sql.length() > charsLimit) {
            // generated SQL must not pin memory or crowd out the hot statements for good
            cache.clear();
            cachedChars = 0;
          }
          cache.put(sql, verdict);
          cachedChars += sql.length();
        }
      }
    }
    return verdict;
  }

  /** How many texts are kept now; for tests. */
  int cachedTexts() {
    return cache.size();
  }

  /** How many characters of text are kept now, as counted; for tests. */
  long cachedChars() {
    synchronized (adding) {
      return cachedChars;
    }
  }

  /** The characters of the texts kept now, summed over them; for tests. */
  long keptChars() {
    synchronized (adding) {
      long sum = 0;
      for (String sql : cache.keySet()) {
        sum += sql.length();
      }
      return sum;
    }
  }

  private SqlVerdict read(String sql) {
    SqlVerdict standard = new SqlScan(rules, sql, false).run();
    if (sql.indexOf('\\') < 0) {
      return standard;
    }
    return standard.and(new SqlScan(rules, sql, true).run());
  }
}
