package dev.txguard.bench;

/**
 * One way of moving money between hot accounts at SERIALIZABLE, retrying serialization failures.
 * Every implementation runs the same statements in the same order and allows the same number of
 * attempts, so only the retry policy and the library's own cost differ.
 */
interface Transfers extends AutoCloseable {
  /** The same attempt budget for every contender; Jdbi counts it as 1 try plus 9 retries. */
  int MAX_ATTEMPTS = 10;

  /**
   * Moves {@code amount} from {@code from} to {@code to} if the source can pay; calls {@code
   * attempts.run()} at the start of every attempt.
   *
   * @return true if the unit committed, false if it gave up after {@link #MAX_ATTEMPTS}
   *     serialization failures
   */
  boolean transfer(int from, int to, long amount, Runnable attempts) throws Exception;

  /** Retries the library counted itself, or -1 when it has no such count. */
  default long retriesSeenByLibrary() {
    return -1;
  }

  @Override
  void close();

  static Transfers create(String contender) {
    return switch (contender) {
      case "txguard" -> new TxguardTransfers(TxguardTransfers.DEFAULT_BACKOFF);
      // not in the default run: for experiments with the backoff (run JMH with -p contender=...)
      case "txguard-1ms" -> new TxguardTransfers(TxguardTransfers.SHORT_BACKOFF);
      case "jdbi" -> new JdbiTransfers();
      case "immediate" -> new ImmediateRetryTransfers();
      default ->
          throw new IllegalArgumentException(
              "contender must be one of txguard, jdbi, immediate; was " + contender);
    };
  }
}
