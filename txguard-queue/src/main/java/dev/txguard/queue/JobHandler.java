package dev.txguard.queue;

/**
 * Runs jobs of one kind outside any transaction, for external side effects (e-mail, HTTP calls).
 * The job completes in its own unit after the handler returns; if the process dies between the two,
 * the job runs again after its lease expires, so make handlers idempotent (at-least-once).
 *
 * <p>Each attempt runs on its own virtual thread. A handler that throws records a failed attempt
 * and is retried with backoff; throw {@link NonRetryableJobException} to discard the job instead.
 * The thread is interrupted when the queue gives the lease up at shutdown.
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
