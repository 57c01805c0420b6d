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
  /** Texts longer than this are read every time instead of being kept. */
  private static final int CACHED_LENGTH_LIMIT = 4096;

  private static final int CACHE_LIMIT = 4096;

  private final SqlRules rules;
  private final ConcurrentHashMap<String, SqlVerdict> cache = new ConcurrentHashMap<>();

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
      if (cache.size() >= CACHE_LIMIT) {
        cache.clear(); // generated SQL must not pin memory or crowd out the hot statements for good
      }
      cache.put(sql, verdict);
    }
    return verdict;
  }

  private SqlVerdict read(String sql) {
    SqlVerdict standard = new SqlScan(rules, sql, false).run();
    if (sql.indexOf('\\') < 0) {
      return standard;
    }
    return standard.and(new SqlScan(rules, sql, true).run());
  }
}
