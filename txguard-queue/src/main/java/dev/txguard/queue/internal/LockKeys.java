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

  /**
   * Taken shared by each running attempt of a grouped job and exclusively by {@code cancelGroup} to
   * wait for them, both session-scoped on dedicated connections (see {@link GroupLock}); the second
   * half is {@code hashtext} of {@link #group}.
   */
  static final int GROUP = 0x7467_5103;

  /**
   * The text whose hash is the second half of a group's lock key: groups of other schemas differ.
   */
  static String group(String schema, String group) {
    return schema + ":" + group;
  }

  private LockKeys() {}
}
