package dev.txguard.internal.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Which texts the SQL reader keeps verdicts of, and how much: statements with long comments are
 * kept (the queue's claim, about 5,000 characters, was read again before every claim while texts
 * over 4,096 characters were not), one longer than the length limit is read every time, and the
 * count and character limits empty the cache instead of letting generated SQL grow it. No database
 * needed.
 */
class SqlReaderCacheTest {
  /** A statement of about {@code length} characters, most of them a leading comment. */
  private static String commented(int length, String statement) {
    StringBuilder sb = new StringBuilder();
    while (sb.length() + statement.length() + 4 < length) {
      sb.append("-- why this statement reads the table the way it does, in words\n");
    }
    return sb.append(statement).toString();
  }

  @Test
  void aStatementWithALongCommentIsReadOnce() {
    SqlReader reader = new SqlReader(PostgresRules.RULES);
    String claim = commented(5_300, "update job set state = 'running' where id = ?");
    assertThat(claim.length()).isGreaterThan(5_000);

    SqlVerdict first = reader.verdict(claim);
    SqlVerdict second = reader.verdict(claim);

    assertThat(second).isEqualTo(first);
    assertThat(first.clean()).isTrue();
    assertThat(reader.cachedTexts()).as("texts kept").isEqualTo(1);
    assertThat(reader.cachedChars()).as("characters kept").isEqualTo(claim.length());
  }

  @Test
  void aTextOverTheLengthLimitIsReadEveryTimeAndStillJudged() {
    SqlReader reader = new SqlReader(PostgresRules.RULES);
    String hidden = commented(SqlReader.CACHED_LENGTH_LIMIT + 100, "select 1; commit");
    assertThat(hidden.length()).isGreaterThan(SqlReader.CACHED_LENGTH_LIMIT);

    assertThat(reader.verdict(hidden).control()).as("the commit after the comment").isNotNull();
    assertThat(reader.verdict(hidden).control()).isNotNull();
    assertThat(reader.cachedTexts()).as("texts kept").isZero();
  }

  @Test
  void theCharacterLimitEmptiesTheCacheBeforeItIsPassed() {
    SqlReader reader = new SqlReader(PostgresRules.RULES);
    int length = 60_000;
    int texts = (int) (SqlReader.CACHED_CHARS_LIMIT / length) + 5;
    long most = 0;
    for (int i = 0; i < texts; i++) {
      reader.verdict(commented(length, "select " + i));
      most = Math.max(most, reader.cachedChars());
      assertThat(reader.cachedChars())
          .as("characters kept after %d texts of about %d", i + 1, length)
          .isLessThanOrEqualTo(SqlReader.CACHED_CHARS_LIMIT);
    }
    assertThat(most).as("the cache filled before it was emptied").isGreaterThan(length * 60L);
    assertThat(reader.cachedTexts()).as("texts kept after the cache was emptied").isLessThan(10);
  }

  @Test
  void theCountLimitEmptiesTheCache() {
    SqlReader reader = new SqlReader(PostgresRules.RULES);
    for (int i = 0; i <= SqlReader.CACHE_LIMIT; i++) {
      reader.verdict("select " + i);
      assertThat(reader.cachedTexts()).isLessThanOrEqualTo(SqlReader.CACHE_LIMIT);
    }
    assertThat(reader.cachedTexts()).as("emptied at the limit, then the last text kept").isOne();
  }
}
