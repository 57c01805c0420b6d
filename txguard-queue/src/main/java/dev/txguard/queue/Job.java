package dev.txguard.queue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of one job's row, as returned by {@link JobQueue#find(long)}. Arguments and result are
 * JSON text.
 *
 * @param id the job's id
 * @param kind its kind
 * @param queue the queue it runs on
 * @param state its state when read
 * @param priority its priority, 0 (most urgent) and up
 * @param attempt how many attempts have started (0 before the first)
 * @param maxAttempts how many attempts it may have
 * @param runAt when it may run (next)
 * @param createdAt when it was enqueued
 * @param attemptedAt when its last attempt started, if any
 * @param finalizedAt when it reached a final state, if it did
 * @param argsJson its arguments as JSON
 * @param errors its failed attempts, oldest first
 * @param resultJson its handler's result as JSON, if it completed with one
 * @param uniqueKey its unique key, if any
 * @param group its group, if any
 * @param leaseOwner who holds its lease while it runs
 * @param leaseExpiresAt when that lease expires unless extended
 * @param cancelRequested whether cancel was asked for it ({@link JobQueue#cancel(long)}, {@link
 *     QueueAdmin#cancel}, a group's cancel): a {@link JobState#RUNNING} job asked to stop stays
 *     running until its handler sees the request ({@link JobContext#isCancelRequested()}) or its
 *     attempt ends; it stays true on a job whose handler finished anyway ({@link
 *     JobState#COMPLETED})
 */
public record Job(
    long id,
    String kind,
    String queue,
    JobState state,
    int priority,
    int attempt,
    int maxAttempts,
    Instant runAt,
    Instant createdAt,
    Optional<Instant> attemptedAt,
    Optional<Instant> finalizedAt,
    String argsJson,
    List<JobError> errors,
    Optional<String> resultJson,
    Optional<String> uniqueKey,
    Optional<String> group,
    Optional<String> leaseOwner,
    Optional<Instant> leaseExpiresAt,
    boolean cancelRequested) {}
