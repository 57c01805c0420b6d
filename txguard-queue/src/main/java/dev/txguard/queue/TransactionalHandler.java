package dev.txguard.queue;

import dev.txguard.Tx;

/**
 * Runs jobs of one kind inside a unit of work whose commit also completes the job: the handler's
 * writes and the job's completion commit together or not at all. If the handler throws, or the
 * completion is refused because the attempt lost its lease, the unit rolls back and the failure is
 * recorded (or, for a lost lease, left to the attempt that holds the lease now).
 *
 * <p>The unit runs with the queue's {@link JobQueue.Builder#txOptions} (name: the job's kind).
 * Retryable database errors (serialization failures, deadlocks) run the handler again within the
 * same attempt, as for any txguard unit. Each attempt runs on its own virtual thread; what {@link
 * JobHandler} says of interrupts and of handlers that compute without blocking holds here too.
 *
 * @param <A> the arguments' type
 */
@FunctionalInterface
public interface TransactionalHandler<A> {
  /**
   * Runs one attempt in {@code tx}.
   *
   * @param tx the unit the job's completion joins
   * @param job the attempt, with the job's arguments
   * @return the job's result, stored as JSON, or {@code null} for none
   * @throws Exception to roll back and fail the attempt
   */
  Object handle(Tx tx, JobContext<A> job) throws Exception;
}
