package dev.txguard.queue;

import java.time.Instant;

/**
 * What a handler knows about the attempt it runs.
 *
 * @param id the job's id
 * @param kind the job's kind
 * @param queue the queue it was claimed from
 * @param attempt this attempt's number, 1-based (2 and above are retries or rescued attempts)
 * @param maxAttempts how many attempts the job may have
 * @param createdAt when the job was enqueued
 * @param args the job's arguments, read from JSON into the type registered for its kind
 * @param <A> the arguments' type
 */
public record JobContext<A>(
    long id, String kind, String queue, int attempt, int maxAttempts, Instant createdAt, A args) {

  /** Whether this is the job's last allowed attempt. */
  public boolean isLastAttempt() {
    return attempt >= maxAttempts;
  }
}
