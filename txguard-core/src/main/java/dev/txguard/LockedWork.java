package dev.txguard;

/**
 * Work that runs while a session advisory lock is held; see {@link AdvisoryLocks}. It may throw a
 * checked exception, which reaches the caller unchanged after the lock is released.
 *
 * @param <T> the result type
 * @param <X> the checked exception the work may throw
 */
@FunctionalInterface
public interface LockedWork<T, X extends Exception> {
  /**
   * Does the work.
   *
   * @return the result handed to the caller
   * @throws X to fail; the lock is released either way
   */
  T run() throws X;
}
