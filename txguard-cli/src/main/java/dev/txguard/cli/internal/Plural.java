package dev.txguard.cli.internal;

/** Counted nouns for the demo's sentences: "1 early return", "2 early returns". */
final class Plural {
  private Plural() {}

  /**
   * The count and the noun, in the plural unless the count is 1.
   *
   * @param count how many
   * @param noun the singular, made plural by adding "s" (every noun the demo counts does)
   */
  static String of(long count, String noun) {
    return count + " " + (count == 1 ? noun : noun + "s");
  }
}
