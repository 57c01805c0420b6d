package dev.txguard.queue.internal;

/**
 * What a notification on the jobs channel ({@code <schema>_jobs}) says: jobs became available in
 * {@code queue} at run level {@code level}, announced by {@code sender} (see {@link Announcer}) or
 * by nobody in particular (null: maintenance, give-up, an operator's retry). The payload is {@code
 * <queue>@<level>} or {@code <queue>@<level>#<sender>}; queue names never hold {@code @} or {@code
 * #} ({@link Checks#queueName}). A payload without a level, as older versions sent, means every
 * level ({@link #EVERY_LEVEL}).
 *
 * @param queue the queue
 * @param level the run level whose fetcher is to claim, or {@link #EVERY_LEVEL}
 * @param sender the announcing process's token, or null
 */
record Wake(String queue, int level, String sender) {
  /** The level of a payload that names none: the fetchers of every level are woken. */
  static final int EVERY_LEVEL = -1;

  /** The payload for {@code pg_notify}. */
  String payload() {
    String p = queue + "@" + level;
    return sender == null ? p : p + "#" + sender;
  }

  /** Whether this wake is for this process's fetcher at {@code fetcherLevel}. */
  boolean wakes(int fetcherLevel) {
    return level == EVERY_LEVEL || level == fetcherLevel;
  }

  /** Reads a payload; one that is not of this form is read as a queue name for every level. */
  static Wake parse(String payload) {
    String rest = payload;
    String sender = null;
    int hash = rest.lastIndexOf('#');
    if (hash >= 0) {
      sender = rest.substring(hash + 1);
      rest = rest.substring(0, hash);
    }
    int at = rest.lastIndexOf('@');
    if (at < 0) {
      return new Wake(rest, EVERY_LEVEL, sender);
    }
    try {
      return new Wake(rest.substring(0, at), Integer.parseInt(rest.substring(at + 1)), sender);
    } catch (NumberFormatException e) {
      return new Wake(rest, EVERY_LEVEL, sender);
    }
  }
}
