package dev.txguard.examples.queue;

import dev.txguard.Database;
import dev.txguard.queue.JobQueue;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * Call and wait: a unit that needs a job's result. The unit holds the only connection of its pool
 * while it waits; the job runs one pool level up, so the wait cannot deadlock the pool.
 */
public final class CallAndWait {
  public record PriceOrder(int items) {}

  public record Quote(BigDecimal total) {}

  public static void main(String[] args) {
    String url =
        args.length > 0 ? args[0] : "jdbc:postgresql://localhost:5432/postgres?user=postgres";
    // one connection per level: level 0 for the caller's unit, level 1 (and up) for what it waits
    // on
    try (Database db = Database.builder().url(url).poolSize(1).levelPoolSize(3).build();
        JobQueue queue =
            JobQueue.builder(db)
                .handle(
                    "price-order",
                    PriceOrder.class,
                    job ->
                        new Quote(
                            BigDecimal.valueOf(job.args().items())
                                .multiply(new BigDecimal("9.90"))))
                .queue("default", 1)
                .build()) {
      queue.migrate();
      queue.start();
      db.useTx(
          tx ->
              tx.update(
                  "create table if not exists priced (items int not null, total numeric not null)"));

      BigDecimal total =
          db.inTx(
              tx -> {
                Quote quote = queue.call(new PriceOrder(3), Quote.class, Duration.ofSeconds(30));
                tx.update("insert into priced (items, total) values (?, ?)", 3, quote.total());
                return quote.total();
              });
      System.out.println("3 items cost " + total);
    } // closing the queue stops it (30 s for running jobs)
  }
}
