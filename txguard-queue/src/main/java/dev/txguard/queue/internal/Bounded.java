package dev.txguard.queue.internal;

/**
 * Bounds text that ends up in exception messages, logs and the job's stored errors: a deeply nested
 * argument or a handler's exception can carry tens of thousands of characters, which helps no
 * reader. The head is kept (it names what failed) and the cut is said.
 */
final class Bounded {
  /** The longest excerpt of foreign text (a library's or a handler's message) embedded in ours. */
  static final int MESSAGE = 1000;

  /** The longest stack trace stored with a job's error. */
  static final int TRACE = 4000;

  private Bounded() {}

  /** {@code text} when it has at most {@code max} characters, else its head and what was cut. */
  static String text(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    int keep =
        Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max; // never half a character
    int cut = text.length() - keep;
    return text.substring(0, keep) + "... [" + cut + " of " + text.length() + " characters cut]";
  }

  /** {@link #text} with the {@link #MESSAGE} bound. */
  static String message(String text) {
    return text(text, MESSAGE);
  }
}
