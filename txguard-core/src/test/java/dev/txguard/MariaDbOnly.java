package dev.txguard;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A core integration test class of MariaDB's own failures (it uses {@code MariaDbExtension}
 * directly): it runs only in the MariaDB execution of {@code mvn verify} (the failsafe execution
 * {@code mariadb}), and the PostgreSQL execution, which excludes the tag {@value #TAG}, starts no
 * MariaDB.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(MariaDbOnly.TAG)
@interface MariaDbOnly {
  /** The JUnit tag the PostgreSQL execution excludes. */
  String TAG = "mariadb-only";
}
