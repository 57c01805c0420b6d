package dev.txguard.spring;

import dev.txguard.Tx;
import dev.txguard.queue.JobContext;
import dev.txguard.queue.JobHandler;
import dev.txguard.queue.TransactionalHandler;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Component;

/** An application whose job handlers are beans. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({QueueApp.GreetHandler.class, QueueApp.SlowHandler.class})
public class QueueApp {
  static final String[] SCHEMA = {"create table greeting(name text primary key)"};

  public record Greet(String name) {}

  public record Slow(long millis) {}

  /** Writes a row in the unit that completes the job. */
  @Component
  @JobKind("greet")
  public static class GreetHandler implements TransactionalHandler<Greet> {
    @Override
    public Object handle(Tx tx, JobContext<Greet> job) {
      tx.update("insert into greeting(name) values (?)", job.args().name());
      return null;
    }
  }

  /** Sleeps, counting how many run right now; for the shutdown test. */
  @Component
  @JobKind("slow")
  public static class SlowHandler implements JobHandler<Slow> {
    static final AtomicInteger RUNNING = new AtomicInteger();
    static final AtomicInteger FINISHED = new AtomicInteger();
    static volatile CountDownLatch started = new CountDownLatch(1);

    @Override
    public Object handle(JobContext<Slow> job) throws InterruptedException {
      RUNNING.incrementAndGet();
      started.countDown();
      try {
        Thread.sleep(job.args().millis());
        FINISHED.incrementAndGet();
        return null;
      } finally {
        RUNNING.decrementAndGet();
      }
    }
  }
}
