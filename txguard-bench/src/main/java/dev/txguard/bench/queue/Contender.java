package dev.txguard.bench.queue;

import java.util.List;

/**
 * One queue under test, opened for one phase: {@link #open} builds its pools and objects, {@link
 * #close} ends them all, so that every backend of the phase has ended (and flushed its statistics)
 * before the phase's counters are read.
 */
interface Contender extends AutoCloseable {
  /** What the handler does; the same for every contender. */
  enum Work {
    /** Returns at once. */
    NOOP,
    /**
     * Inserts one row into {@code bench_q_side} (in the job's own unit where the queue has one).
     */
    WRITE_ROW
  }

  /**
   * One job: its id (0 to n-1 within a phase) and the producer's System.nanoTime() before
   * enqueueing.
   */
  record Item(int id, long enqueuedNanos) {}

  /** Builds one contender of a kind for a phase. */
  interface Factory {
    String name();

    /** The settings and the documentation they come from, for the report. */
    String configuration();

    /** Creates its tables once per run (idempotent). */
    void install(Server server) throws Exception;

    /** Deletes every job, so that a phase starts on an empty queue. */
    void clear(Server server) throws Exception;

    /** The server-side tables to vacuum and analyze between enqueue and work. */
    List<String> tables();

    /** Jobs in the database not finished yet, read on the server's monitor connection. */
    long unfinished(Server server) throws Exception;

    Contender open(Server server, Work work, Tally tally) throws Exception;
  }

  /** Enqueues the items in one transaction (the contender's batch API). */
  void enqueueBatch(List<Item> items) throws Exception;

  /** Enqueues one item in a transaction of its own. */
  void enqueueOne(Item item) throws Exception;

  /** Starts working the queue with 16 handler threads. */
  void start() throws Exception;

  /** Stops working; the pools stay open until {@link #close}. */
  void stop() throws Exception;
}
