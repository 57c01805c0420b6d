package dev.txguard.queue;

import java.time.Instant;

/**
 * One failed attempt of a job, as recorded in its errors.
 *
 * <p>An entry written by something else than txguard may lack fields: a missing attempt reads as 0,
 * a missing or unreadable time as null, a missing error or trace as empty.
 *
 * <p>The texts are bounded (an error's message to 1,000 characters, a trace to 4,000, the cut
 * said), and a U+0000 or an unpaired UTF-16 surrogate in the thrown message is stored as U+FFFD,
 * the replacement character, since PostgreSQL text cannot hold either.
 *
 * @param attempt the attempt that failed, 1-based; 0 when the entry does not say
 * @param at when the failure was recorded; null when the entry does not say
 * @param error the error: the exception's class and message, or why the lease expired; empty when
 *     the entry does not say
 * @param trace the first frames of the exception's stack trace; empty when there was none
 */
public record JobError(int attempt, Instant at, String error, String trace) {}
