package dev.txguard;

/**
 * No connection became free within the pool's connection timeout. The message names the pool's
 * level and size and, for every unit holding one of its connections, the unit's name, age, thread
 * and the stack that opened it, so the culprit is visible in the error itself.
 */
public class PoolExhaustedException extends TxException {
  /**
   * Creates the exception.
   *
   * @param message the pool and its holders
   * @param cause the pool's own timeout error
   */
  public PoolExhaustedException(String message, Throwable cause) {
    super(message, cause);
  }
}
