package dev.txguard.bench;

/**
 * The two units of work of the overhead benchmark, as one contender writes them. Every
 * implementation runs the same SQL ({@link Schema}) with the same round trips, so that a difference
 * in score is the cost of the contender's transaction handling and nothing else.
 */
interface Units extends AutoCloseable {
  /** One select by primary key in its own transaction; returns the balance read. */
  long read(int id) throws Exception;

  /**
   * Debits {@code from}, credits {@code to} and logs the transfer: three statements in one
   * transaction. Callers pass {@code from < to}, so row locks are always taken in the same order
   * and no run ever waits for the deadlock detector.
   */
  void write(int from, int to, long amount) throws Exception;

  @Override
  void close();

  /** Every contender's name. */
  java.util.List<String> NAMES =
      java.util.List.of(
          "jdbc",
          "txguard",
          "spring",
          "jdbi",
          "jooq",
          "txguard-set-local",
          "txguard-set-session",
          "txguard-unresolved",
          "txguard-read-only");

  /** The contenders by the names the benchmarks' {@code contender} parameter uses. */
  static Units create(String contender) {
    return switch (contender) {
      case "jdbc" -> new JdbcUnits();
      case "txguard" -> new TxguardUnits(true);
      case "txguard-unresolved" -> new TxguardUnits(false);
      case "txguard-read-only" -> new TxguardUnits(true, true);
      case "spring" -> new SpringUnits();
      case "jdbi" -> new JdbiUnits();
      case "jooq" -> new JooqUnits();
      case "txguard-set-local" -> new SessionChangeUnits(false);
      case "txguard-set-session" -> new SessionChangeUnits(true);
      default ->
          throw new IllegalArgumentException(
              "contender must be one of " + String.join(", ", NAMES) + "; was " + contender);
    };
  }
}
