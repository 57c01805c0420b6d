package dev.txguard.spring.internal;

import dev.txguard.queue.JobQueue;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the queue's workers when the context has started and stops them gracefully when it closes:
 * no new claims, running jobs get {@code txguard.queue.shutdown-timeout} to finish, the rest give
 * their leases back (another process may claim them at once). Stops before the Database closes.
 */
public final class QueueLifecycle implements SmartLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(QueueLifecycle.class);
  private final JobQueue queue;
  private final Duration shutdownTimeout;
  private final boolean works;
  private volatile boolean running;

  /**
   * @param works whether the queue has queues to work; a queue that only enqueues is not started
   */
  public QueueLifecycle(JobQueue queue, Duration shutdownTimeout, boolean works) {
    this.queue = queue;
    this.shutdownTimeout = shutdownTimeout;
    this.works = works;
  }

  @Override
  public void start() {
    if (works) {
      queue.start();
    }
    running = true;
  }

  @Override
  public void stop() {
    if (running) {
      running = false;
      if (works && !queue.stop(shutdownTimeout)) {
        LOG.warn(
            "{}: jobs still running after {} were given back to the queue and interrupted",
            queue,
            shutdownTimeout);
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
