package dev.txguard.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Reruns a {@code @Transactional} method, whole, when its unit fails with a retryable error:
 * PostgreSQL SQLSTATE {@code 40001} (serialization_failure) or {@code 40P01} (deadlock_detected)
 * anywhere in the cause chain (so also inside Spring's {@code DataAccessException}s), or the loss
 * of the unit's connection before COMMIT, exactly as {@code db.inTx} retries (PostgreSQL manual,
 * "Transaction Isolation": applications must retry transactions that fail with these errors). Each
 * attempt is a new unit and a new call through every advice inside this one; after-commit work
 * ({@code TransactionSynchronization.afterCommit}, {@code tx.afterCommit}) of failed attempts never
 * runs. Backoff: exponential with full jitter, as {@link dev.txguard.TxOptions}.
 *
 * <pre>{@code
 * @TxRetry
 * @Transactional(isolation = Isolation.SERIALIZABLE)
 * public void transfer(long from, long to, long cents) { ... }
 * }</pre>
 *
 * <h2>Where it may be put</h2>
 *
 * Only on the outermost transactional boundary: the method must be {@code @Transactional} itself
 * (on the method or its class) with propagation {@code REQUIRED}, and it must be called when no
 * transaction is open on the thread. A retry inside a running transaction could only rerun part of
 * it, so such a call fails at once, before the method runs, with {@link IllegalStateException}
 * naming the method and the open unit; a misplaced annotation (no {@code @Transactional}, another
 * propagation) fails the same way on every call. The retry advice runs outside the transaction
 * advice; keep {@code @EnableTransactionManagement}'s order at its default for that.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface TxRetry {
  /**
   * How many attempts at most, the first included: 2 to 100; {@code 0} (the default) takes {@code
   * txguard.retry-max-attempts} (default 5).
   *
   * @return the attempt limit, or 0 for the property's
   */
  int maxAttempts() default 0;
}
