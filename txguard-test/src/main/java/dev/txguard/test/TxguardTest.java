package dev.txguard.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a real PostgreSQL of its own and a txguard {@code Database} over it, with
 * fault injection, a unit log and a leak check after every test. See {@link TxguardExtension}.
 *
 * <pre>{@code
 * @TxguardTest
 * class OrdersTest {
 *   @Test void placesAnOrder(Database db, UnitLog units) { ... }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(TxguardExtension.class)
public @interface TxguardTest {
  /** What each test class gets. */
  enum Isolation {
    /** A database of its own, dropped after the class (the default). */
    DATABASE,
    /** A schema of its own in one database shared by such classes; cheaper to create. */
    SCHEMA
  }

  /** {@return a fresh database (default) or schema per class} */
  Isolation isolation() default Isolation.DATABASE;

  /** {@return the level-0 pool size of the injected {@code Database}; default 10} */
  int poolSize() default 10;

  /** {@return the pool size of each level above 0; default 4} */
  int levelPoolSize() default 4;

  /** {@return the connection timeout of the injected {@code Database}, in seconds; default 30} */
  int connectionTimeoutSeconds() default 30;

  /**
   * Whether a test fails when it leaves a unit open, a connection borrowed, a session advisory lock
   * held or a job running; default true.
   *
   * @return whether leaks fail the test
   */
  boolean leakCheck() default true;

  /**
   * How long the leak check waits, in milliseconds, for work the test started on other threads to
   * finish before calling it a leak; default 5000.
   *
   * @return the wait, zero or more
   */
  long leakGraceMillis() default 5000;

  /**
   * Whether to create the job queue's schema and offer a {@code JobQueue} when txguard-queue is on
   * the class path; default true.
   *
   * @return whether the queue's schema is created
   */
  boolean queue() default true;
}
