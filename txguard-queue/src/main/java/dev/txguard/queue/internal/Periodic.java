package dev.txguard.queue.internal;

import dev.txguard.queue.EnqueueOptions;
import dev.txguard.queue.Schedule;
import java.time.Instant;
import java.util.function.Function;

/**
 * A periodic job as declared on the builder.
 *
 * @param name the schedule's name, unique within the queue's schema (its instants are deduplicated
 *     under it)
 * @param when its instants
 * @param options how its jobs are enqueued (run-at is replaced by the instant)
 * @param constantArgs the arguments of every job, or null when {@code args} computes them
 * @param args the arguments of the job for an instant
 */
public record Periodic(
    String name,
    Schedule when,
    EnqueueOptions options,
    Object constantArgs,
    Function<Instant, ?> args) {}
