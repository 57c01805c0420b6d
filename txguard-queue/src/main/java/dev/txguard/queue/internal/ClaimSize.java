package dev.txguard.queue.internal;

/**
 * The LIMIT of a claim: the fetcher's room rounded down to a value with at most two significant
 * bits (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, ...), or the fetch batch size itself. Each distinct
 * LIMIT is a statement of its own (see claim.sql), prepared and planned per connection before it
 * runs on its generic plan; rounding keeps them to a few (the default batch of 20 and a minimum
 * claim of 8 use 8, 12, 16 and 20) at the price of a claim at most a third smaller than its room,
 * whose rest the next claim takes. Stateless.
 */
final class ClaimSize {
  /** The largest fetch batch a queue accepts ({@code JobQueue.Builder.fetchBatchSize}). */
  static final int MAX = 1000;

  private ClaimSize() {}

  /**
   * The LIMIT for a claim with {@code room} free slots and places.
   *
   * @param room jobs the fetcher may take now, at least 1
   * @param fetchBatchSize the queue's largest claim, 1 to {@link #MAX}
   * @return {@code fetchBatchSize} when the room is at least that, else the largest value with at
   *     most two significant bits not above {@code room}
   */
  static int limit(int room, int fetchBatchSize) {
    if (room >= fetchBatchSize) {
      return fetchBatchSize;
    }
    int high = Integer.highestOneBit(room);
    return (room & (high >> 1)) != 0 ? high | (high >> 1) : high;
  }
}
