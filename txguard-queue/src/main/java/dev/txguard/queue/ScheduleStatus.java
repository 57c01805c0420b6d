package dev.txguard.queue;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A periodic schedule as the database records it, from {@link QueueAdmin#schedules()}.
 *
 * @param name the schedule's name
 * @param definition how it was declared, e.g. {@code cron '0 3 * * *' Europe/Berlin} or {@code
 *     every PT15M} ({@link Schedule#definition()})
 * @param handledUntil the latest instant the leader handled (enqueued, or skipped as a missed run)
 * @param updatedAt when the leader last moved that cursor
 * @param lastRun the latest instant enqueued, when its record is kept (records are deleted after
 *     the queue's retention)
 * @param lastJobId that instant's job
 * @param lastJobState that job's state now; empty once the job was deleted
 * @param nextRun the schedule's next instant after {@code handledUntil}; empty when the definition
 *     is not one this version can read or the schedule never fires again
 */
public record ScheduleStatus(
    String name,
    String definition,
    Instant handledUntil,
    Instant updatedAt,
    Optional<Instant> lastRun,
    OptionalLong lastJobId,
    Optional<JobState> lastJobState,
    Optional<Instant> nextRun) {}
