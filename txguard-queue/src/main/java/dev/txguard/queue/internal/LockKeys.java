package dev.txguard.queue.internal;

/**
 * The first half of the queue's two-part advisory-lock keys (the second is {@code hashtext} of the
 * schema), a namespace no other txguard lock uses.
 */
final class LockKeys {
  /** Serializes {@code migrate()}. */
  static final int MIGRATE = 0x7467_5101;
  /** Held (session-scoped) by the elected maintenance leader. */
  static final int LEADER = 0x7467_5102;

  private LockKeys() {}
}
