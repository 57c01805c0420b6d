package dev.txguard.bench.queue;

import dev.txguard.Database;
import dev.txguard.queue.EnqueueOptions;
import dev.txguard.queue.JobQueue;
import java.time.Duration;
import java.util.List;

/**
 * txguard-queue as its README and {@code JobQueue.Builder} javadoc advise: one queue with
 * concurrency 16, a level-0 pool of concurrency + 1 ("size poolSize at least the sum of the worked
 * queues' concurrencies plus one"), prefetch 112 and fetchBatchSize 128 ("for throughput,
 * prefetch(7 × concurrency) with fetchBatchSize(8 × concurrency)"; the claim-ahead is bounded by
 * what the handlers finish in about 10 ms), everything else at its defaults (pollInterval 1 s,
 * runLevels 2). Plain handlers for no-op jobs; {@code handleInTx} for the row-writing handler, so
 * that its row and the job's completion commit together.
 */
final class TxguardContender implements Contender {
  static final String SCHEMA = "bench_txguard";
  static final String KIND = "bench";
  private static final int CONCURRENCY = 16;
  private static final int POOL = CONCURRENCY + 1;

  /**
   * Claim-ahead settings, default the README's advice; {@code -Dtxguard.bench.prefetch=N} and
   * {@code -Dtxguard.bench.fetchBatchSize=N} try others (the configuration line names them).
   */
  private static final int PREFETCH = Integer.getInteger("txguard.bench.prefetch", 7 * CONCURRENCY);

  private static final int FETCH_BATCH =
      Integer.getInteger("txguard.bench.fetchBatchSize", 8 * CONCURRENCY);

  static final Factory FACTORY =
      new Factory() {
        @Override
        public String name() {
          return "txguard-queue";
        }

        @Override
        public String configuration() {
          return "queue(\"default\", 16), Database poolSize 17 (README: concurrency plus one), prefetch "
              + PREFETCH
              + ", fetchBatchSize "
              + FETCH_BATCH
              + " (README for throughput: 7 and 8 × the concurrency; claim-ahead bounded by 10 ms of"
              + " the handlers' mean time), pollInterval 1 s, runLevels 2 (defaults); handle(...) for no-op, handleInTx(...) for the row;"
              + " enqueueAll(...) for batches, enqueue(...) one per unit";
        }

        @Override
        public void install(Server server) throws Exception {
          try (Database db = Database.builder().url(server.url()).poolSize(2).build()) {
            JobQueue.builder(db).schema(SCHEMA).declare(KIND, Item.class).build().migrate();
          }
        }

        @Override
        public void clear(Server server) throws Exception {
          server.execute("truncate " + SCHEMA + ".job");
        }

        @Override
        public List<String> tables() {
          return List.of(SCHEMA + ".job");
        }

        @Override
        public long unfinished(Server server) throws Exception {
          return server.count("select count(*) from " + SCHEMA + ".job where state <> 'completed'");
        }

        @Override
        public Contender open(Server server, Work work, Tally tally) {
          return new TxguardContender(server, work, tally);
        }
      };

  private boolean closed;
  private final Database db;
  private final JobQueue queue;

  private TxguardContender(Server server, Work work, Tally tally) {
    db = Database.builder().url(server.url()).poolSize(POOL).build();
    JobQueue.Builder builder =
        JobQueue.builder(db)
            .schema(SCHEMA)
            .queue("default", CONCURRENCY)
            .prefetch(PREFETCH)
            .fetchBatchSize(FETCH_BATCH);
    if (work == Work.NOOP) {
      builder.handle(
          KIND,
          Item.class,
          job -> {
            tally.started(job.args().id(), job.args().enqueuedNanos());
            tally.finished();
            return null;
          });
    } else {
      builder.handleInTx(
          KIND,
          Item.class,
          (tx, job) -> {
            tally.started(job.args().id(), job.args().enqueuedNanos());
            tx.update("insert into bench_q_side(job_id) values (?)", job.args().id());
            tally.finished();
            return null;
          });
    }
    queue = builder.build();
  }

  /** The queue, for the throttling phase's producers. */
  JobQueue queue() {
    return queue;
  }

  Database db() {
    return db;
  }

  @Override
  public void enqueueBatch(List<Item> items) {
    queue.enqueueAll(items, EnqueueOptions.defaults());
  }

  @Override
  public void enqueueOne(Item item) {
    queue.enqueue(item);
  }

  @Override
  public void start() {
    queue.start();
  }

  @Override
  public void stop() {
    queue.stop(Duration.ofSeconds(30));
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    queue.close();
    db.close();
  }
}
