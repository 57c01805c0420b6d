package dev.txguard.queue.internal;

import dev.txguard.internal.SafeLog;
import dev.txguard.queue.QueueListener;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the listener; a listener that throws — an exception or an {@link Error} — is logged and
 * never changes a job's outcome nor ends the thread that fired the event (an attempt, the
 * heartbeat, maintenance).
 */
final class Events {
  static final Logger LOG = LoggerFactory.getLogger("dev.txguard.queue");
  private final QueueListener listener;

  Events(QueueListener listener) {
    this.listener = listener;
  }

  void fire(Consumer<QueueListener> event) {
    try {
      event.accept(listener);
    } catch (Throwable e) {
      SafeLog.warn(LOG, e, "queue listener {} threw; ignored", listener);
    }
  }
}
