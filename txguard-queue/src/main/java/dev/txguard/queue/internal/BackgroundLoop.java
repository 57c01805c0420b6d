package dev.txguard.queue.internal;

/**
 * The start/stop plumbing shared by the queue's background loops (fetchers, heartbeat,
 * maintenance): one platform daemon thread, a {@link Signal} to wake it early, and a stop flag it
 * checks between rounds. Subclasses implement {@link #run()} as {@code while (!stopped()) { ... }}.
 *
 * <p>Not a virtual thread: handlers run on virtual threads, and as many handlers computing without
 * blocking as the JVM has carrier threads (its processors, by default) would keep a virtual loop
 * from running at all. A heartbeat that cannot run lets the leases expire under handlers that are
 * still working, and another process then runs the same jobs a second time (break-it review,
 * session 16: 12 s of computing under a 3 s lease on 2 cores ran both jobs twice). The operating
 * system preempts a platform thread's competitors; a few of them per queue cost nothing that
 * matters.
 */
abstract class BackgroundLoop implements Runnable {
  /** Raised to end the current wait early: a NOTIFY, a finished attempt, or stop. */
  final Signal wake = new Signal();

  private volatile boolean stopped;
  private Thread thread;

  /** Starts {@code body} (usually {@code this}) on a platform daemon thread named {@code name}. */
  final void start(String name, Runnable body) {
    thread = Thread.ofPlatform().daemon().name(name).start(body);
  }

  /** Asks the loop to stop and waits for its thread to end. */
  void stop() throws InterruptedException {
    stopped = true;
    wake.raise();
    if (thread != null) {
      thread.join();
    }
  }

  /**
   * Asks the loop to stop and waits for its thread to end until {@code deadlineNanos} (a {@link
   * System#nanoTime()}); a thread still running then, stuck in a unit that waits for a database
   * that went away, say, is interrupted (which ends its wait for a connection, or its connection)
   * and waited for a moment more. Returns whether the thread ended; one that did not ends at its
   * next check of the stop flag and keeps no JVM alive (a daemon thread).
   */
  boolean stop(long deadlineNanos) throws InterruptedException {
    stopped = true;
    wake.raise();
    return Stopping.join(thread, deadlineNanos);
  }

  final boolean stopped() {
    return stopped;
  }
}
