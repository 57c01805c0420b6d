package dev.txguard.queue;

/**
 * Runs jobs of one kind outside any transaction, for external side effects (e-mail, HTTP calls).
 * The job completes in its own unit after the handler returns; if the process dies between the two,
 * the job runs again after its lease expires, so make handlers idempotent (at-least-once).
 *
 * <p>Each attempt runs on its own virtual thread. A handler that throws records a failed attempt
 * and is retried with backoff; throw {@link NonRetryableJobException} to discard the job instead.
 * The thread is interrupted when the queue gives the lease up at shutdown. An interrupt status the
 * handler leaves set when it returns or throws is cleared before the queue completes the job.
 *
 * <p>The queue's heartbeat, fetchers and maintenance run on platform threads, so a handler that
 * computes for a long time without blocking still has its lease extended. It does hold one of the
 * JVM's carrier threads meanwhile (virtual threads are not time-sliced), and as many such handlers
 * as there are carriers (the processors, by default) hold up every other virtual thread of the JVM
 * until one of them blocks or ends: give CPU-heavy work a queue whose concurrency is below the
 * processor count, or a platform-thread executor of its own.
 *
 * @param <A> the arguments' type
 */
@FunctionalInterface
public interface JobHandler<A> {
  /**
   * Runs one attempt.
   *
   * @param job the attempt, with the job's arguments
   * @return the job's result, stored as JSON, or {@code null} for none
   * @throws Exception to fail the attempt
   */
  Object handle(JobContext<A> job) throws Exception;
}
