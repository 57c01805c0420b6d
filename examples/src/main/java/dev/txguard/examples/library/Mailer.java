package dev.txguard.examples.library;

/** Sends mail to members: a side effect no rollback can undo. */
public interface Mailer {
  /** Sends {@code text} to {@code member}. */
  void send(String member, String text);
}
