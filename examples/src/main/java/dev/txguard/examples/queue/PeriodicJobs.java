package dev.txguard.examples.queue;

import dev.txguard.Database;
import dev.txguard.queue.EnqueueOptions;
import dev.txguard.queue.JobQueue;
import dev.txguard.queue.MissedRuns;
import dev.txguard.queue.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Periodic jobs: a cron schedule and an interval. Each due instant is enqueued once across all
 * processes that declare the schedule, by the queue's maintenance leader.
 */
public final class PeriodicJobs {
  public record NightlyReport(Instant due) {}

  public record Tick() {}

  public static void main(String[] args) throws InterruptedException {
    String url =
        args.length > 0 ? args[0] : "jdbc:postgresql://localhost:5432/postgres?user=postgres";
    CountDownLatch ticks = new CountDownLatch(2);
    try (Database db = Database.builder().url(url).poolSize(6).build();
        JobQueue queue =
            JobQueue.builder(db)
                .handle(
                    "nightly-report", NightlyReport.class, job -> "report for " + job.args().due())
                .handle(
                    "tick",
                    Tick.class,
                    job -> {
                      System.out.println("tick " + job.id());
                      ticks.countDown();
                      return null;
                    })
                // at 03:00 Berlin time; the job's arguments are made from the instant it is due
                .schedule(
                    "nightly-report",
                    Schedule.cron("0 3 * * *", ZoneId.of("Europe/Berlin")),
                    EnqueueOptions.defaults(),
                    NightlyReport::new)
                // every second; instants missed while no process ran are skipped
                .schedule(
                    "tick",
                    Schedule.every(Duration.ofSeconds(1)).missed(MissedRuns.SKIP),
                    new Tick())
                .queue("default", 2)
                .maintenanceInterval(Duration.ofMillis(200))
                .build()) {
      queue.migrate();
      queue.start();
      boolean ticked = ticks.await(30, TimeUnit.SECONDS);
      System.out.println(ticked ? "2 ticks ran" : "fewer than 2 ticks within 30 s");
    }
  }
}
