/**
 * txguard's PostgreSQL job queue. Its API is the package {@code dev.txguard.queue}; the package
 * {@code dev.txguard.queue.internal} is the implementation and is not exported.
 */
@SuppressWarnings("requires-automatic")
module dev.txguard.queue {
  requires transitive dev.txguard;
  requires transitive com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires org.postgresql.jdbc; // LISTEN/NOTIFY on the control connection
  requires com.cronutils; // cron schedules

  exports dev.txguard.queue;
}
