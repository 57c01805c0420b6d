package dev.txguard.examples.library;

/** A book has no copy left to lend: a business error, never retried. */
public final class NoCopyLeftException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  NoCopyLeftException(long bookId) {
    super("book " + bookId + " has no copy left");
  }
}
