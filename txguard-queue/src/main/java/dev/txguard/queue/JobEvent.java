package dev.txguard.queue;

/**
 * The job a {@link QueueListener} event is about.
 *
 * @param id the job's id
 * @param kind its kind
 * @param queue its queue
 * @param attempt the attempt the event concerns
 */
public record JobEvent(long id, String kind, String queue, int attempt) {}
