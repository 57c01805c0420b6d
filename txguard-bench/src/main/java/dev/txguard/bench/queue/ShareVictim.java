package dev.txguard.bench.queue;

import dev.txguard.Database;
import dev.txguard.queue.JobQueue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The queue process that {@link Share}'s death check kills: a JVM of its own, on the benchmark's
 * classpath, working queue "default" as owner {@value Share#VICTIM}. It prints "started" once its
 * queue is started, then "S id" as each handler starts, so that the benchmark knows which of the
 * jobs its leases hold had started when it was killed. It runs until killed.
 */
final class ShareVictim {
  private ShareVictim() {}

  /** Arguments: JDBC URL, prefetch, fetchBatchSize, lease ms, handler ms, exponential. */
  public static void main(String[] args) throws Exception {
    Share.Claims claims = new Share.Claims(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
    Database db = Database.builder().url(args[0]).poolSize(Share.CONCURRENCY + 1).build();
    JobQueue queue =
        Share.worker(
            db,
            claims,
            Share.VICTIM,
            Duration.ofMillis(Long.parseLong(args[3])),
            Integer.parseInt(args[4]),
            Boolean.parseBoolean(args[5]),
            new Share.Started() {
              @Override
              public void started(int id, long enqueuedNanos) {
                synchronized (System.out) {
                  System.out.println("S " + id);
                  System.out.flush();
                }
              }

              @Override
              public void finished() {}
            });
    queue.start();
    System.out.println("started");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  static Process launch(
      Server server, Share.Claims c, Duration lease, int handlerMs, boolean exponential)
      throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(System.getProperty("java.home") + "/bin/java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                ShareVictim.class.getName(),
                server.url(),
                Integer.toString(c.prefetch()),
                Integer.toString(c.fetchBatchSize()),
                Long.toString(lease.toMillis()),
                Integer.toString(handlerMs),
                Boolean.toString(exponential)));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /**
   * A thread that reads the victim's output until it ends: the ids its handlers started go to
   * {@code started}; "started" counts {@code ready} down.
   */
  static Thread readStarts(Process victim, Set<Integer> started, CountDownLatch ready) {
    return Thread.ofPlatform()
        .name("share-victim-reader")
        .start(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(victim.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  if (line.startsWith("S ")) {
                    started.add(Integer.parseInt(line.substring(2)));
                  } else if (line.equals("started")) {
                    ready.countDown();
                  }
                }
              } catch (IOException e) {
                // the victim was killed: its output ends here
              }
            });
  }
}
