package dev.txguard.queue;

import dev.txguard.Database;
import java.io.IOException;
import java.time.Duration;

/**
 * A worker JVM for {@link ScheduleIT}: works schema {@code args[3]} with a schedule "tick" every
 * second (policy {@code args[5]}), until its standard input closes. Prints {@code READY}, and
 * {@code LEADER} whenever it becomes the maintenance leader.
 *
 * <p>Arguments: url, user, password, schema, worker name, missed-run policy.
 */
public final class ScheduleWorkerProcess {
  private ScheduleWorkerProcess() {}

  /** Runs the worker. */
  public static void main(String[] args) throws IOException, InterruptedException {
    String url = args[0];
    String user = args[1];
    String password = args[2];
    String name = args[4];
    try (Database db =
        Database.builder().url(url).user(user).password(password).poolSize(6).build()) {
      JobQueue queue =
          JobQueue.builder(db)
              .schema(args[3])
              .controlConnection(url, user, password)
              .owner(name)
              .pollInterval(Duration.ofMillis(200))
              .maintenanceInterval(Duration.ofMillis(200))
              .leaseDuration(
                  Duration.ofSeconds(3)) // a killed worker's jobs are rescued while the test runs
              .handle("tick", ScheduleIT.Tick.class, job -> name)
              .schedule(
                  "tick",
                  Schedule.every(Duration.ofSeconds(1)).missed(MissedRuns.valueOf(args[5])),
                  EnqueueOptions.defaults(),
                  t -> new ScheduleIT.Tick(t.toString()))
              .queue("default", 2)
              .build();
      queue.start();
      System.out.println("READY " + name);
      Thread leadership =
          Thread.ofVirtual()
              .start(
                  () -> {
                    boolean was = false;
                    while (!Thread.currentThread().isInterrupted()) {
                      boolean is = queue.isLeader();
                      if (is && !was) {
                        System.out.println("LEADER " + name);
                      }
                      was = is;
                      try {
                        Thread.sleep(20);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
      while (System.in.read() != -1) {
        // runs until the test closes our standard input
      }
      leadership.interrupt();
      queue.stop(Duration.ofSeconds(10));
    }
  }
}
