package dev.txguard.internal.dialect;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

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
   * for statements with long comments (the job queue's claim is about 5,000 characters, read before
   * every claim when the limit was 4,096) while one generated text cannot take a large part of the
   * {@link #CACHED_CHARS_LIMIT}.
   */
  static final int CACHED_LENGTH_LIMIT = 64 * 1024;

  /** The most texts kept; reaching it empties the cache. */
  static final int CACHE_LIMIT = 4096;

  /**
   * The most characters of text kept (4 Mi: 4 to 8 MiB of strings); reaching it empties the cache,
   * as {@link #CACHE_LIMIT} does, so that generated SQL cannot pin memory or crowd out the hot
   * statements for good.
   */
  static final long CACHED_CHARS_LIMIT = 4L * 1024 * 1024;

  private final SqlRules rules;
  private final ConcurrentHashMap<String, SqlVerdict> cache = new ConcurrentHashMap<>();

  /**
   * Characters of the texts in {@link #cache}, counted when a text is added; exact unless a clear
   * races an add (then it errs by that text, and the next clear starts it over).
   */
  private final AtomicLong cachedChars = new AtomicLong();

  /** A reader by {@code rules}. */
  public SqlReader(SqlRules rules) {
    this.rules = rules;
  }

  /** The verdict on {@code sql}; never null. */
  public SqlVerdict verdict(String sql) {
    SqlVerdict cached = cache.get(sql);
    if (cached != null) {
      return cached;
    }
    SqlVerdict verdict = read(sql);
    if (sql.length() <= CACHED_LENGTH_LIMIT) {
      if (cache.size() >= CACHE_LIMIT || cachedChars.get() + sql.length() > CACHED_CHARS_LIMIT) {
        cache.clear(); // generated SQL must not pin memory or crowd out the hot statements for good
        cachedChars.set(0);
      }
      if (cache.putIfAbsent(sql, verdict) == null) {
        cachedChars.addAndGet(sql.length());
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
    return cachedChars.get();
  }

  private SqlVerdict read(String sql) {
    SqlVerdict standard = new SqlScan(rules, sql, false).run();
    if (sql.indexOf('\\') < 0) {
      return standard;
    }
    return standard.and(new SqlScan(rules, sql, true).run());
  }
}
