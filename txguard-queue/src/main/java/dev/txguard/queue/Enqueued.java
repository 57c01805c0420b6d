package dev.txguard.queue;

/**
 * The job an enqueue produced, or found.
 *
 * @param id the job's id
 * @param state its state right after the enqueue ({@link JobState#AVAILABLE} or {@link
 *     JobState#SCHEDULED} for a new job; any unfinished state for an existing one)
 * @param existing {@code true} when the unique key was already held by an unfinished job, which is
 *     returned instead of inserting a new one
 */
public record Enqueued(long id, JobState state, boolean existing) {}
