package dev.txguard.queue;

import java.time.Instant;

/**
 * One failed attempt of a job, as recorded in its errors.
 *
 * @param attempt the attempt that failed, 1-based
 * @param at when the failure was recorded
 * @param error the error: the exception's class and message, or why the lease expired
 * @param trace the first frames of the exception's stack trace; empty when there was none
 */
public record JobError(int attempt, Instant at, String error, String trace) {}
