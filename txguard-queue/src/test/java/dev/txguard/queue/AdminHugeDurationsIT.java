package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.TxException;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Break-it run on issue 13 (brk13): huge durations given to the admin API. Each method's javadoc
 * documents IllegalArgumentException for bad durations; anything else must be a TxException.
 */
@TxguardTest(queue = false)
class AdminHugeDurationsIT {
  @Injected static TestDatabase pg;

  record Ping(int n) {}

  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() {
    db = QueueFixture.db(pg, 4);
    queue =
        QueueFixture.builder(pg, db, "brk13bad")
            .handle("ping", Ping.class, job -> job.args().n())
            .queue("default", 1)
            .build();
    queue.migrate();
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void pruneWithAHugeAgeIsRefusedOrDeletesNothing() {
    assertThatThrownBy(() -> queue.admin().prune(Duration.ofSeconds(Long.MAX_VALUE), n -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("olderThan must be at most 9223372036854775807 ms");
  }

  @Test
  void listWithAHugeAgeIsRefusedOrListsNothing() {
    assertThatThrownBy(
            () -> queue.admin().list(JobFilter.all().olderThan(Duration.ofSeconds(Long.MAX_VALUE))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("olderThan must be at most");
    assertThatThrownBy(
            () -> queue.admin().list(JobFilter.all().newerThan(Duration.ofSeconds(Long.MAX_VALUE))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("newerThan must be at most");
  }

  @Test
  void listWithAnAgeBeyondPostgresTimestampsIsATxException() {
    // fits in milliseconds, but now() minus it is before 4713 BC
    Duration tooOld = Duration.ofDays(365L * 10_000_000);
    try {
      queue.admin().list(JobFilter.all().olderThan(tooOld));
      queue.admin().prune(tooOld, n -> {});
    } catch (RuntimeException e) {
      org.assertj.core.api.Assertions.assertThat(e)
          .isInstanceOfAny(IllegalArgumentException.class, TxException.class);
    }
  }
}
