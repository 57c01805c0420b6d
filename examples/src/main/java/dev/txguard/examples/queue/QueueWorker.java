package dev.txguard.examples.queue;

import dev.txguard.Database;
import dev.txguard.queue.JobQueue;
import dev.txguard.queue.JobState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A queue worker: jobs enqueued in the same unit as an order, completed in the same unit as their
 * work.
 */
public final class QueueWorker {
  /** The job's arguments; stored as JSON, so a record of plain values. */
  public record SendInvoice(long orderId) {}

  public static void main(String[] args) throws InterruptedException {
    String url =
        args.length > 0 ? args[0] : "jdbc:postgresql://localhost:5432/postgres?user=postgres";
    try (Database db = Database.builder().url(url).poolSize(8).build()) {
      db.useTx(
          tx ->
              tx.update(
                  "create table if not exists invoiced_order"
                      + " (id bigserial primary key, invoiced boolean not null default false)"));

      JobQueue queue =
          JobQueue.builder(db)
              .handleInTx(
                  "send-invoice",
                  SendInvoice.class,
                  (tx, job) -> {
                    // runs in the same unit that marks the job completed: both happen, or neither
                    tx.updateExactly(
                        1,
                        "update invoiced_order set invoiced = true where id = ?",
                        job.args().orderId());
                    return "invoiced " + job.args().orderId();
                  })
              .queue(
                  "default", 4) // jobs go to queue "default" unless EnqueueOptions says otherwise
              .build();
      queue.migrate(); // creates or upgrades the queue's tables (schema txguard_queue)
      queue.start();
      try {
        List<Long> jobs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          jobs.add(
              db.inTx(
                  tx -> {
                    long orderId =
                        tx.queryOne(
                                "insert into invoiced_order default values returning id",
                                rs -> rs.getLong(1))
                            .orElseThrow();
                    return queue
                        .enqueue(tx, new SendInvoice(orderId))
                        .id(); // visible only if this unit commits
                  }));
        }
        for (long id : jobs) {
          System.out.println("job " + id + ": " + awaitEnd(queue, id, Duration.ofSeconds(30)));
        }
      } finally {
        queue.stop(Duration.ofSeconds(10));
      }
    }
  }

  /** Waits (up to {@code limit}) for a job to end (a final state) and returns its state. */
  static JobState awaitEnd(JobQueue queue, long id, Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    JobState state = queue.find(id).orElseThrow().state();
    while (!state.isFinal() && System.nanoTime() < end) {
      Thread.sleep(50);
      state = queue.find(id).orElseThrow().state();
    }
    return state;
  }
}
