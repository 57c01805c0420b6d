/**
 * txguard's queue dashboard: a web page over {@code dev.txguard.queue.QueueAdmin}. Its API is the
 * package {@code dev.txguard.dashboard}; {@code dev.txguard.dashboard.internal} is the
 * implementation and is not exported.
 */
@SuppressWarnings("requires-automatic")
module dev.txguard.dashboard {
  requires transitive dev.txguard.queue;
  requires transitive io.javalin;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jdk8;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires org.slf4j;

  exports dev.txguard.dashboard;
}
