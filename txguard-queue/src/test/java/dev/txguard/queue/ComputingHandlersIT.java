package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Handlers that compute without blocking on every carrier thread of the JVM's virtual-thread
 * scheduler still have their leases extended (break-it review, session 16): the heartbeat ran on a
 * virtual thread too, so no heartbeat ran while they computed, the leases expired under working
 * handlers, and another process ran the same jobs a second time. Here as many handlers as there are
 * carriers spin on a flag under a 1 s lease until the test has seen every lease extended twice.
 */
@TxguardTest(queue = false)
class ComputingHandlersIT {
  @Injected static TestDatabase pg;

  record Compute(int n) {}

  /** The virtual-thread scheduler's parallelism: the processors, unless the JVM was told. */
  static final int CARRIERS =
      Integer.getInteger(
          "jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors());

  static final AtomicBoolean release = new AtomicBoolean();
  static final AtomicInteger computing = new AtomicInteger();
  static Database db;
  static JobQueue queue;

  @BeforeAll
  static void setUp() throws Exception {
    db = QueueFixture.db(pg, CARRIERS + 4);
    queue =
        QueueFixture.builder(pg, db, "computing_handlers")
            .leaseDuration(Duration.ofSeconds(1)) // a heartbeat every 333 ms
            .handle(
                "compute",
                Compute.class,
                job -> {
                  computing.incrementAndGet();
                  long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                  long sum = 0;
                  while (!release.get() && System.nanoTime() < end) { // never blocks, never yields
                    sum += job.args().n();
                  }
                  return sum > 0 ? 1 : 0;
                })
            .queue("default", CARRIERS)
            .build();
    QueueFixture.start(queue);
  }

  @AfterAll
  static void tearDown() {
    release.set(true);
    QueueFixture.stop(queue, db);
  }

  @Test
  void leasesAreExtendedWhileHandlersComputeOnEveryCarrier() throws Exception {
    List<Long> ids = new ArrayList<>();
    try {
      for (int i = 0; i < CARRIERS; i++) {
        ids.add(queue.enqueue(new Compute(i + 1)).id());
      }
      await(
          "all " + CARRIERS + " handlers computing",
          () -> computing.get() == CARRIERS,
          () -> computing.get() + " computing");
      Map<Long, String> first = leaseExpiries(ids);
      Map<Long, Integer> changes = new HashMap<>();
      Map<Long, String> seen = new HashMap<>(first);
      await(
          "every computing job's lease extended twice",
          () -> {
            leaseExpiries(ids)
                .forEach(
                    (id, expiry) -> {
                      if (!expiry.equals(seen.put(id, expiry))) {
                        changes.merge(id, 1, Integer::sum);
                      }
                    });
            return ids.stream().allMatch(id -> changes.getOrDefault(id, 0) >= 2);
          },
          () -> "extensions by job " + changes + " (none: no heartbeat ran)");
    } finally {
      release.set(true);
    }
    for (long id : ids) {
      await(
          "job " + id + " completed",
          () -> QueueFixture.state(queue, id) == JobState.COMPLETED,
          () -> QueueFixture.state(queue, id));
      assertThat(queue.find(id).orElseThrow().attempt())
          .as("attempts of job %d (a second one: its lease expired while it ran)", id)
          .isEqualTo(1);
    }
  }

  private static Map<Long, String> leaseExpiries(List<Long> ids) throws Exception {
    Map<Long, String> expiries = new HashMap<>();
    for (List<Object> row :
        pg.query(
            "select id, coalesce(lease_expires_at::text, 'none')"
                + " from computing_handlers.job where id = any(array"
                + ids
                + "::bigint[])")) {
      expiries.put(((Number) row.get(0)).longValue(), String.valueOf(row.get(1)));
    }
    return expiries;
  }
}
