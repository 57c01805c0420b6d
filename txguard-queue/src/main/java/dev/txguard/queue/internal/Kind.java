package dev.txguard.queue.internal;

import dev.txguard.queue.JobHandler;
import dev.txguard.queue.TransactionalHandler;

/**
 * A registered job kind: its name, its arguments' type and at most one handler (none for a kind
 * this process only enqueues).
 */
public record Kind(
    String name, Class<?> argsType, JobHandler<?> handler, TransactionalHandler<?> txHandler) {
  /** Whether workers of this process can run jobs of this kind. */
  boolean runnable() {
    return handler != null || txHandler != null;
  }
}
