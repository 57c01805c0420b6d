package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.TxException;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pacing of a background loop's failures (issue 14, item 6), without a database. */
class LoopFailuresTest {
  @Test
  void theWaitDoublesFromThePeriodUpToTheCapAndStartsOverAfterASuccess() {
    LoopFailures f = new LoopFailures("test loop", Duration.ofMillis(100), Duration.ofSeconds(1));
    RuntimeException e = new RuntimeException("down");

    assertThat(f.failed(e)).isEqualTo(Duration.ofMillis(100));
    assertThat(f.failed(e)).isEqualTo(Duration.ofMillis(200));
    assertThat(f.failed(e)).isEqualTo(Duration.ofMillis(400));
    assertThat(f.failed(e)).isEqualTo(Duration.ofMillis(800));
    assertThat(f.failed(e)).isEqualTo(Duration.ofSeconds(1));
    for (int i = 0; i < 100; i++) {
      assertThat(f.failed(e)).isEqualTo(Duration.ofSeconds(1));
    }
    f.succeeded();
    assertThat(f.failed(e)).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void eachKindOfFailureIsLoggedOnceUntilTheLoopWorksAgain() {
    LoopFailures f = new LoopFailures("test loop", Duration.ofMillis(10), Duration.ofMillis(10));
    String missing =
        LoopFailures.kind(new TxException("claim", new SQLException("no relation", "42P01")));
    String down = LoopFailures.kind(new TxException("claim", new SQLException("refused", "08001")));

    assertThat(missing).isEqualTo("dev.txguard.TxException, SQLSTATE 42P01");
    assertThat(f.firstOfKind(missing)).isTrue();
    assertThat(f.firstOfKind(missing)).isFalse();
    assertThat(f.firstOfKind(down)).isTrue();
    assertThat(f.firstOfKind(down)).isFalse();
    f.failed(new RuntimeException());
    f.succeeded();
    assertThat(f.firstOfKind(missing)).isTrue();
  }
}
