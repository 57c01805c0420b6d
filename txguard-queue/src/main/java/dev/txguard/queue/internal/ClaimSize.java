package dev.txguard.queue.internal;

/**
 * The LIMIT of a claim: the fetcher's room itself up to {@link #EXACT}, above that rounded down to
 * a multiple of an eighth of its highest power of two (64, 72, 80, ..., 120, 128, 144, ...), and
 * never more than the fetch batch size. Each distinct LIMIT is a statement of its own (see
 * claim.sql), prepared and planned per connection before it runs on its generic plan; the rounding
 * keeps large batches to eight statements per doubling at the price of a claim at most an eighth
 * smaller than its room, whose rest the next claim takes. Rooms up to {@link #EXACT} are not
 * rounded: a claim smaller than the room leaves slots for a second claim right after it, which
 * small rooms would pay for often. Each text costs the server about 100 KB of plan cache per
 * connection that claims with it (measured on PostgreSQL 17 in session 9's break-it run): at most
 * {@code fetchBatchSize} texts up to {@link #EXACT}, 95 at the largest batch. Stateless.
 */
final class ClaimSize {
  /** The largest fetch batch a queue accepts ({@code JobQueue.Builder.fetchBatchSize}). */
  static final int MAX = 1000;

  /** Rooms up to this many jobs are claimed exactly. */
  static final int EXACT = 64;

  private ClaimSize() {}

  /**
   * The LIMIT for a claim with {@code room} free slots and places.
   *
   * @param room jobs the fetcher may take now, at least 1
   * @param fetchBatchSize the queue's largest claim, 1 to {@link #MAX}
   * @return {@code min(room, fetchBatchSize)} when that is at most {@link #EXACT}, else that
   *     rounded down to a multiple of an eighth of its highest power of two
   */
  static int limit(int room, int fetchBatchSize) {
    int n = Math.min(room, fetchBatchSize);
    if (n <= EXACT) {
      return n;
    }
    int step = Integer.highestOneBit(n) >> 3;
    return n & ~(step - 1);
  }
}
