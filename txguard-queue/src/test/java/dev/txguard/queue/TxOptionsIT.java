package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.Isolation;
import dev.txguard.TxOptions;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The queue's units must be read-write READ COMMITTED: heartbeats update running jobs' rows, so a
 * stricter isolation fails completions with 40001, and read-only units cannot write the queue. A
 * handler needing a stricter unit opens its own.
 */
@TxguardTest(queue = false)
class TxOptionsIT {
  @Injected static TestDatabase pg;

  record Audit(int n) {}

  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute("create table audit (n int not null)");
    db = QueueFixture.db(pg, 8);
    queue =
        QueueFixture.builder(pg, db, "txopts")
            .handleInTx(
                "audit",
                Audit.class,
                (tx, job) -> {
                  // a handler needing a stricter unit than the queue's opens its own, one level up
                  db.useNewTx(
                      TxOptions.defaults().isolation(Isolation.SERIALIZABLE),
                      inner -> inner.update("insert into audit values (?)", job.args().n()));
                  return job.args().n();
                })
            .queue("default", 2)
            .build();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() {
    QueueFixture.stop(queue, db);
  }

  @Test
  void txOptionsTheQueueCannotWorkWithAreRejected() {
    JobQueue.Builder b = JobQueue.builder(db);
    assertThatThrownBy(() -> b.txOptions(TxOptions.defaults().isolation(Isolation.SERIALIZABLE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "txOptions isolation must be READ_COMMITTED, was SERIALIZABLE: the heartbeat updates"
                + " a running job's row every third of the lease")
        .hasMessageContaining("db.inNewTx(options, ...) from a transactional one");
    assertThatThrownBy(() -> b.txOptions(TxOptions.defaults().isolation(Isolation.REPEATABLE_READ)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unit at REPEATABLE READ");
    assertThatThrownBy(() -> b.txOptions(TxOptions.defaults().readOnly(true)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("txOptions must not be read-only");
    assertThatThrownBy(() -> b.txOptions(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("txOptions must not be null");
    assertThat(b.txOptions(TxOptions.defaults().timeout(Duration.ofSeconds(5)))).isSameAs(b);
  }

  @Test
  void aTransactionalHandlerOpensAStricterUnitOfItsOwn() throws Exception {
    assertThat(queue.call(new Audit(7), Integer.class, Duration.ofSeconds(60))).isEqualTo(7);
    assertThat(pg.queryLong("select count(*) from audit where n = 7")).isEqualTo(1);
  }
}
