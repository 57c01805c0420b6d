package dev.txguard;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A core integration test (class or method) that runs only in the PostgreSQL execution of {@code
 * mvn verify}, not in the MariaDB one (the failsafe execution {@code mariadb} excludes the tag
 * {@value #TAG}): what it checks is PostgreSQL's own (its SQL, its server functions, its driver),
 * or txguard does it only on PostgreSQL. {@link #value()} says which, in a line; txguard-core's
 * MARIADB.md lists them.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(PostgresOnly.TAG)
@interface PostgresOnly {
  /** The JUnit tag the MariaDB execution excludes. */
  String TAG = "postgres-only";

  /** Why the test cannot run on MariaDB, in a line. */
  String value();
}
