package dev.txguard;

/**
 * A guarded update ({@link Tx#updateExactly}) changed a different number of rows than the code
 * expected: the row is gone, or not in the state the code assumed. The message names the statement
 * and both counts. Whatever the statement changed is still part of the unit; letting this exception
 * escape the callback rolls it back.
 */
public class StaleDataException extends TxException {
  private final int expected;
  private final int actual;

  /**
   * Creates the exception.
   *
   * @param message names the statement and the counts
   * @param expected the rows the statement had to change
   * @param actual the rows it changed
   */
  public StaleDataException(String message, int expected, int actual) {
    super(message);
    this.expected = expected;
    this.actual = actual;
  }

  /** {@return the rows the statement had to change} */
  public int expected() {
    return expected;
  }

  /** {@return the rows it changed} */
  public int actual() {
    return actual;
  }
}
