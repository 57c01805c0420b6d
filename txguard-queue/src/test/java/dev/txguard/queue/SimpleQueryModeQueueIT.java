package dev.txguard.queue;

import static dev.txguard.queue.QueueFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A queue on a driver in simple query mode (preferQueryMode=simple, as used behind a pooler in
 * transaction mode): every parameter is inlined as a literal, the completion batch's ids (a long[])
 * and tokens included. Jobs are enqueued, claimed and completed in batches, each once.
 */
@TxguardTest(queue = false)
class SimpleQueryModeQueueIT {
  @Injected static TestDatabase pg;

  record Work(int n) {}

  @Test
  void aQueueOnASimpleQueryModeConnectionCompletesEveryJob() throws Exception {
    String url = pg.url() + (pg.url().contains("?") ? "&" : "?") + "preferQueryMode=simple";
    Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
    try (Database db =
        Database.builder()
            .url(url)
            .user(pg.user())
            .password(pg.password())
            .connectionTimeout(Duration.ofSeconds(10))
            .poolSize(8)
            .build()) {
      JobQueue queue =
          QueueFixture.builder(pg, db, "simplemode")
              .handle(
                  "work",
                  Work.class,
                  job -> {
                    runs.computeIfAbsent(job.args().n(), k -> new AtomicInteger())
                        .incrementAndGet();
                    return job.args().n();
                  })
              .queue("default", 8)
              .build();
      queue.migrate();
      List<Work> batch = new ArrayList<>();
      for (int n = 0; n < 200; n++) {
        batch.add(new Work(n));
      }
      queue.enqueueAll(batch, EnqueueOptions.defaults());
      queue.enqueue(new Work(200), EnqueueOptions.defaults().uniqueKey("simple-unique"));
      queue.start();
      try {
        await(
            "all jobs completed", () -> queue.stats().count("default", JobState.COMPLETED) == 201);
      } finally {
        queue.stop(Duration.ofSeconds(10));
      }
      assertThat(runs).hasSize(201);
      assertThat(runs.values()).allMatch(c -> c.get() == 1);
    }
  }
}
