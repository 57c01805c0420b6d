package dev.txguard.internal.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Which texts the SQL reader keeps verdicts of, and how much: statements with long comments are
 * kept (the queue's claim, about 5,200 characters, was read again before every claim while texts
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

    assertThat(reader.verdict(claim).clean()).isTrue();
    assertThat(reader.verdict(claim).clean()).as("the kept verdict").isTrue();
    assertThat(reader.cachedTexts()).as("texts kept").isEqualTo(1);
    assertThat(reader.cachedChars()).as("characters kept").isEqualTo(claim.length());
    assertThat(reader.keptChars()).isEqualTo(claim.length());
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
      most = Math.max(most, reader.keptChars());
      assertThat(reader.keptChars())
          .as("characters kept after %d texts of about %d", i + 1, length)
          .isLessThanOrEqualTo(SqlReader.CACHED_CHARS_LIMIT);
    }
    assertThat(most).as("the cache filled before it was emptied").isGreaterThan(length * 60L);
    assertThat(reader.cachedTexts()).as("texts kept after the cache was emptied").isLessThan(10);
  }

  @Test
  void threadsAddingAtOnceKeepTheLimitsAndTheCountExact() throws Exception {
    // small limits and short texts, so that the threads meet where texts are added and the cache
    // is emptied, not while they read
    int textsLimit = 40;
    long charsLimit = 3_000;
    SqlReader reader = new SqlReader(PostgresRules.RULES, textsLimit, charsLimit);
    int threads = 8;
    int each = 20_000;
    List<String> failures = new CopyOnWriteArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      started.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      start.await();
                      for (int i = 0; i < each && failures.isEmpty(); i++) {
                        // two threads ask for the same texts at once, and texts repeat
                        reader.verdict(
                            commented(
                                60 + (i % 7) * 20, "select " + (thread / 2) + ", " + (i % 300)));
                        long kept = reader.keptChars();
                        int texts = reader.cachedTexts();
                        if (kept > charsLimit || texts > textsLimit) {
                          failures.add(
                              "after "
                                  + i
                                  + " texts of thread "
                                  + thread
                                  + ": "
                                  + texts
                                  + " texts, "
                                  + kept
                                  + " characters kept");
                        }
                      }
                    } catch (Throwable e) {
                      failures.add(e.toString());
                    }
                  }));
    }
    start.countDown();
    for (Thread t : started) {
      t.join(Duration.ofSeconds(60));
      assertThat(t.isAlive()).as("a thread still adding after 60 s").isFalse();
    }
    assertThat(failures).as("limits passed").isEmpty();
    assertThat(reader.cachedChars())
        .as("characters counted against the characters of the texts kept")
        .isEqualTo(reader.keptChars());
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
