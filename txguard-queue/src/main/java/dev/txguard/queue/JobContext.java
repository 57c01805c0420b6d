package dev.txguard.queue;

import java.time.Instant;
import java.util.function.BooleanSupplier;

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
 * @param cancelSignal tells whether cancel was requested for this job while it runs; prefer {@link
 *     #isCancelRequested()}
 * @param <A> the arguments' type
 */
public record JobContext<A>(
    long id,
    String kind,
    String queue,
    int attempt,
    int maxAttempts,
    Instant createdAt,
    A args,
    BooleanSupplier cancelSignal) {

  /** {@return whether this is the job's last allowed attempt} */
  public boolean isLastAttempt() {
    return attempt >= maxAttempts;
  }

  /**
   * Whether {@link JobQueue#cancel(long)} or {@link JobQueue#cancelGroup} asked this job to stop. A
   * handler doing long work should check it between steps and throw when it is set: the job then
   * ends {@link JobState#CANCELLED} instead of being retried. Seen at once when the cancel ran in
   * this process, else when the cancel's notification reaches this process (milliseconds after the
   * cancel committed), or at the next heartbeat (a third of the lease duration) if it was missed.
   *
   * @return true once a cancel was seen; it never turns false again
   */
  public boolean isCancelRequested() {
    return cancelSignal.getAsBoolean();
  }
}
