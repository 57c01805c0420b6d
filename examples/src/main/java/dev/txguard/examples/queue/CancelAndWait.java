package dev.txguard.examples.queue;

import dev.txguard.Database;
import dev.txguard.queue.CancelResult;
import dev.txguard.queue.EnqueueOptions;
import dev.txguard.queue.JobQueue;
import dev.txguard.queue.JobState;
import java.time.Duration;
import java.util.List;

/**
 * Cancel and wait: an import runs as a group of jobs; cancelling the group stops the jobs that have
 * not started and waits for the running ones to end.
 */
public final class CancelAndWait {
  public record ImportChunk(String file, int chunk) {}

  public static void main(String[] args) throws InterruptedException {
    String url =
        args.length > 0 ? args[0] : "jdbc:postgresql://localhost:5432/postgres?user=postgres";
    try (Database db = Database.builder().url(url).poolSize(6).build();
        JobQueue queue =
            JobQueue.builder(db)
                .handle(
                    "import-chunk",
                    ImportChunk.class,
                    job -> {
                      for (int step = 0; step < 200; step++) { // long work, in steps
                        if (job.isCancelRequested()) {
                          throw new InterruptedException(
                              "import cancelled"); // ends the job CANCELLED
                        }
                        Thread.sleep(50);
                      }
                      return null;
                    })
                .queue("imports", 2)
                .build()) {
      queue.migrate();
      EnqueueOptions inGroup = EnqueueOptions.defaults().queue("imports").group("import-42");
      List<Long> ids =
          queue.enqueueAll(
              List.of(
                  new ImportChunk("a.csv", 1),
                  new ImportChunk("a.csv", 2),
                  new ImportChunk("a.csv", 3),
                  new ImportChunk("a.csv", 4),
                  new ImportChunk("a.csv", 5)),
              inGroup);
      queue.start();
      awaitRunning(queue, ids.get(0), Duration.ofSeconds(30));

      CancelResult result = queue.cancelGroup("import-42", Duration.ofSeconds(30));
      System.out.println(
          result.cancelled()
              + " cancelled before they ran, "
              + result.waitedFor()
              + " running ones waited for, "
              + result.stillRunning()
              + " still running");
      for (long id : ids) {
        System.out.println("job " + id + ": " + queue.find(id).orElseThrow().state());
      }
    }
  }

  /** Waits (up to {@code limit}) until a worker claimed the job (its handler may not run yet). */
  static void awaitRunning(JobQueue queue, long id, Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (queue.find(id).orElseThrow().state() != JobState.RUNNING && System.nanoTime() < end) {
      Thread.sleep(20);
    }
  }
}
