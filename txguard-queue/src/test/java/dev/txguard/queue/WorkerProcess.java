package dev.txguard.queue;

import dev.txguard.Database;
import java.io.IOException;
import java.time.Duration;

/**
 * A worker JVM for {@link MultiProcessIT} and {@link FrozenLeaderIT}: works schema {@code args[3]}
 * until its standard input closes. Its transactional handler of {@code row} inserts one row keyed
 * by the job id; its plain handler of {@code nap} sleeps for ten minutes. Prints {@code READY}, and
 * {@code LEADER} whenever it becomes the maintenance leader.
 *
 * <p>Arguments: url, user, password, schema, worker name.
 */
public final class WorkerProcess {
  /** The job: its row is keyed by the job's id. */
  record Row(int n) {}

  /** The job that holds its lease while its process is frozen: its handler sleeps. */
  record Nap(int n) {}

  private WorkerProcess() {}

  /** Runs the worker. */
  public static void main(String[] args) throws IOException, InterruptedException {
    String url = args[0];
    String user = args[1];
    String password = args[2];
    String name = args[4];
    try (Database db =
        Database.builder().url(url).user(user).password(password).poolSize(12).build()) {
      JobQueue queue =
          JobQueue.builder(db)
              .schema(args[3])
              .controlConnection(url, user, password)
              .owner(name)
              .pollInterval(Duration.ofMillis(200))
              .maintenanceInterval(Duration.ofMillis(100))
              .leaseDuration(Duration.ofSeconds(2))
              .retryBackoff(Duration.ZERO, Duration.ZERO)
              .handleInTx(
                  "row",
                  Row.class,
                  (tx, job) ->
                      tx.update(
                          "insert into processed(job_id, n, worker) values (?, ?, ?)",
                          job.id(),
                          job.args().n(),
                          name))
              .handle(
                  "nap",
                  Nap.class,
                  job -> {
                    Thread.sleep(Duration.ofMinutes(10));
                    return null;
                  })
              .queue("default", 8)
              .fetchBatchSize(50)
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
