package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.Tx;
import dev.txguard.TxHandle;
import dev.txguard.test.FaultProxy;
import dev.txguard.test.Injected;
import dev.txguard.test.PostgresServer;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The enqueue statements hand the unit's transaction id to core's commit-outcome resolution. A lost
 * COMMIT reply must be decided by the id of the attempt that sent that COMMIT, whatever the
 * enqueues before it did: an attempt retried after an enqueue (the next attempt enqueues nothing),
 * a manual unit, a unique enqueue that conflicted (no row, no id), an empty enqueueAll, and an
 * enqueue in a nested savepoint whose outer savepoint rolled back.
 */
@TxguardTest(queue = false)
class EnqueueUnitEdgesLostCommitIT {
  @Injected static TestDatabase pg;

  record Parcel(String tag) {}

  private static final String SCHEMA = "enqedge";
  private static final String BUSINESS = "enq_edges_business";

  static FaultProxy cutting;
  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute("create table " + BUSINESS + " (tag text not null)");
    cutting = new FaultProxy(PostgresServer.get());
    db = QueueFixture.db(pg, cutting, Duration.ofSeconds(10));
    queue = QueueFixture.builder(pg, db, SCHEMA).declare("parcel", Parcel.class).build();
    queue.migrate();
  }

  @AfterAll
  static void tearDown() throws Exception {
    db.close();
    cutting.close();
  }

  private static void business(Tx tx, String tag) {
    tx.update("insert into " + BUSINESS + " values ('" + tag + "')");
  }

  @Test
  void anAttemptRetriedAfterAnEnqueueIsDecidedByItsOwnTransactionId() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    cutting.cutReplyOfNextCommit("retried-second");

    db.useTx(
        tx -> {
          if (runs.incrementAndGet() == 1) {
            business(tx, "retried-first");
            queue.enqueue(tx, new Parcel("retried-first"));
            tx.update("do $$ begin raise exception 'conflict' using errcode = '40001'; end $$");
          } else {
            business(tx, "retried-second"); // no enqueue: the id must be this attempt's
          }
        });

    assertThat(cutting.cuts()).as("cuts made by the proxy").isPositive();
    assertThat(runs).as("runs of the unit").hasValue(2);
    assertThat(count("retried-first")).as("first attempt's rows").isZero();
    assertThat(count("retried-second")).as("second attempt's rows").isEqualTo(1);
    assertThat(jobs("retried-first")).as("first attempt's jobs").isZero();
  }

  @Test
  void aManualUnitThatEnqueuedAndLostItsCommitReplyIsDecidedCommitted() throws Exception {
    cutting.cutReplyOfNextCommit("manual-lost");
    long id;
    try (TxHandle h = db.begin()) {
      business(h.tx(), "manual-lost");
      id = queue.enqueue(h.tx(), new Parcel("manual-lost")).id();
      h.commit();
    }
    assertThat(cutting.cuts()).as("cuts made by the proxy").isPositive();
    assertThat(count("manual-lost")).isEqualTo(1);
    assertThat(queue.find(id)).isPresent();
  }

  @Test
  void aUnitWhoseUniqueEnqueueFoundTheHolderAndLostItsCommitReplyIsDecidedCommitted()
      throws Exception {
    EnqueueOptions unique = EnqueueOptions.defaults().uniqueKey("enq-edge-unique");
    long holder = queue.enqueue(new Parcel("unique-holder"), unique).id();
    AtomicInteger runs = new AtomicInteger();
    cutting.cutReplyOfNextCommit("unique-lost");

    Enqueued found =
        db.inTx(
            tx -> {
              runs.incrementAndGet();
              business(tx, "unique-lost");
              return queue.enqueue(tx, new Parcel("unique-lost"), unique);
            });

    assertThat(cutting.cuts()).as("cuts made by the proxy").isPositive();
    assertThat(runs).hasValue(1);
    assertThat(found.id()).isEqualTo(holder);
    assertThat(found.existing()).isTrue();
    assertThat(count("unique-lost")).isEqualTo(1);
  }

  @Test
  void aUnitWithAnEmptyEnqueueAllThatLostItsCommitReplyIsDecidedCommitted() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    cutting.cutReplyOfNextCommit("empty-all-lost");
    db.useTx(
        tx -> {
          runs.incrementAndGet();
          business(tx, "empty-all-lost");
          assertThat(queue.enqueueAll(tx, List.of(), EnqueueOptions.defaults())).isEmpty();
        });
    assertThat(cutting.cuts()).as("cuts made by the proxy").isPositive();
    assertThat(runs).hasValue(1);
    assertThat(count("empty-all-lost")).isEqualTo(1);
  }

  @Test
  void anEnqueueInANestedSavepointUnderARolledBackOneStillDecidesTheUnit() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    cutting.cutReplyOfNextCommit("nested-lost");
    db.useTx(
        tx -> {
          runs.incrementAndGet();
          assertThatThrownBy(
                  () ->
                      tx.savepoint(
                          outer -> {
                            outer.savepoint(
                                inner -> queue.enqueue(inner, new Parcel("nested-lost")));
                            throw new IllegalStateException("outer savepoint fails");
                          }))
              .isInstanceOf(IllegalStateException.class);
          business(tx, "nested-lost");
        });
    assertThat(cutting.cuts()).as("cuts made by the proxy").isPositive();
    assertThat(runs).hasValue(1);
    assertThat(count("nested-lost")).isEqualTo(1);
    assertThat(jobs("nested-lost")).isZero();
  }

  @Test
  void anEnqueueThroughAnotherUnitDoesNotDecideTheInnerUnit() throws Exception {
    // the inner unit writes; the enqueue goes through the outer unit's Tx. A lost COMMIT of the
    // inner unit must be decided by the inner unit's own id, not the outer's (still open)
    AtomicInteger inner = new AtomicInteger();
    cutting.cutReplyOfNextCommit("inner-lost");
    db.useTx(
        outer -> {
          queue.enqueue(outer, new Parcel("outer-of-inner"));
          db.useNewTx(
              in -> {
                inner.incrementAndGet();
                business(in, "inner-lost");
              });
        });
    assertThat(cutting.cuts()).as("cuts made by the proxy").isPositive();
    assertThat(inner).hasValue(1);
    assertThat(count("inner-lost")).isEqualTo(1);
    assertThat(jobs("outer-of-inner")).isEqualTo(1);
  }

  private static long count(String tag) throws Exception {
    return pg.queryLong("select count(*) from " + BUSINESS + " where tag = '" + tag + "'");
  }

  private static long jobs(String tag) throws Exception {
    return pg.queryLong(
        "select count(*) from " + SCHEMA + ".job where args->>'tag' = '" + tag + "'");
  }
}
