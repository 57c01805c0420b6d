package dev.txguard.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.queue.JobContext;
import dev.txguard.queue.JobHandler;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** Every bad setting fails the start (or the call) with a message naming what to fix. */
@TxguardTest(queue = false)
class BadConfigurationIT {
  @Injected static TestDatabase tdb;

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(TxguardAutoConfiguration.class));

  private ApplicationContextRunner withDatabase() {
    return runner.withPropertyValues(
        "txguard.url=" + tdb.url(),
        "txguard.username=" + tdb.user(),
        "txguard.password=" + tdb.password());
  }

  private static Throwable rootCause(AssertableApplicationContext ctx) {
    assertThat(ctx).hasFailed();
    Throwable t = ctx.getStartupFailure();
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Test
  void noDatabaseUrl() {
    runner.run(
        ctx ->
            assertThat(rootCause(ctx))
                .hasMessage(
                    "txguard needs a PostgreSQL database: set txguard.url"
                        + " (or spring.datasource.url), e.g. jdbc:postgresql://localhost:5432/app"));
  }

  @Test
  void notAPostgresUrlAndThePasswordStaysOutOfTheMessage() {
    runner
        .withPropertyValues("spring.datasource.url=jdbc:mysql://app:s3cret@db/app?password=s3cret")
        .run(
            ctx ->
                assertThat(rootCause(ctx))
                    .hasMessage(
                        "txguard.url (or spring.datasource.url) must be a PostgreSQL JDBC URL starting with"
                            + " jdbc:postgresql:, was jdbc:mysql://***@db/app?..."));
  }

  @Test
  void poolSizeOutOfRange() {
    runner
        .withPropertyValues("txguard.url=jdbc:postgresql://localhost/app", "txguard.pool-size=0")
        .run(
            ctx ->
                assertThat(rootCause(ctx)).hasMessage("poolSize must be from 1 to 10000, was 0"));
    runner
        .withPropertyValues("txguard.url=jdbc:postgresql://localhost/app", "txguard.pool-size=0")
        .run(
            ctx ->
                assertThat(ctx.getStartupFailure())
                    .hasStackTraceContaining("txguard.pool-size: poolSize"));
  }

  @Test
  void retryAttemptsOutOfRange() {
    runner
        .withPropertyValues(
            "txguard.url=jdbc:postgresql://localhost/app", "txguard.retry-max-attempts=1")
        .run(
            ctx ->
                assertThat(rootCause(ctx))
                    .hasMessage("txguard.retry-max-attempts must be from 2 to 100, was 1"));
  }

  @Test
  void aBadQueueSchema() {
    withDatabase()
        .withPropertyValues("txguard.queue.schema=Orders-Queue")
        .run(
            ctx ->
                assertThat(ctx.getStartupFailure())
                    .hasStackTraceContaining(
                        "txguard.queue.schema: schema must be a lower-case SQL identifier"));
  }

  /** Raw type: the arguments' type cannot be read. */
  @SuppressWarnings("rawtypes")
  @JobKind("raw")
  static class RawHandler implements JobHandler {
    @Override
    public Object handle(JobContext job) {
      return null;
    }
  }

  @JobKind("nothing")
  static class NotAHandler {}

  @Test
  void aHandlerWhoseArgumentsTypeCannotBeRead() {
    withDatabase()
        .withBean("rawHandler", RawHandler.class, RawHandler::new)
        .run(
            ctx ->
                assertThat(rootCause(ctx))
                    .hasMessageContaining(
                        "bean 'rawHandler' ("
                            + RawHandler.class.getName()
                            + ") is a @JobKind handler whose arguments' type cannot be read: declare it on the class, e.g. class"
                            + " RawHandler implements JobHandler<MyArgs>"));
  }

  @Test
  void aJobKindBeanThatIsNoHandler() {
    withDatabase()
        .withBean("notAHandler", NotAHandler.class, NotAHandler::new)
        .run(
            ctx ->
                assertThat(rootCause(ctx))
                    .hasMessageContaining(
                        "bean 'notAHandler' ("
                            + NotAHandler.class.getName()
                            + ") has @JobKind(\"nothing\") but implements neither JobHandler<A> nor TransactionalHandler<A>"));
  }

  @Test
  void aDataSourceBeanOfItsOwn() {
    withDatabase()
        .withBean("legacyDataSource", DataSource.class, PGSimpleDataSource::new)
        .run(
            ctx ->
                assertThat(rootCause(ctx))
                    .hasMessageStartingWith(
                        "DataSource bean 'legacyDataSource'"
                            + " (org.postgresql.ds.PGSimpleDataSource) is not txguard's: JdbcTemplate and jOOQ over it would not"
                            + " join @Transactional units"));
  }

  /**
   * @TxRetry put where it cannot work.
   */
  public static class Misplaced {
    @TxRetry
    public void notTransactional() {}

    @TxRetry
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void requiresNew() {}

    @TxRetry(maxAttempts = 1)
    @Transactional
    public void oneAttempt() {}
  }

  @Configuration(proxyBeanMethods = false)
  @EnableTransactionManagement
  static class MisplacedConfig {
    @Bean
    Misplaced misplaced() {
      return new Misplaced();
    }
  }

  @Test
  void txRetryWhereItCannotRetry() {
    withDatabase()
        .withPropertyValues("txguard.queue.enabled=false")
        .withUserConfiguration(MisplacedConfig.class)
        .run(
            ctx -> {
              Misplaced m = ctx.getBean(Misplaced.class);
              assertThat(AopUtils.isAopProxy(m)).isTrue();
              String name = Misplaced.class.getName();
              assertThatThrownBy(m::notTransactional)
                  .isInstanceOf(IllegalStateException.class)
                  .hasMessage(
                      "@TxRetry on "
                          + name
                          + ".notTransactional needs @Transactional on the same method or its"
                          + " class: @TxRetry reruns the method's own transaction, and it has none");
              assertThatThrownBy(m::requiresNew)
                  .isInstanceOf(IllegalStateException.class)
                  .hasMessage(
                      "@TxRetry on "
                          + name
                          + ".requiresNew needs propagation REQUIRED (the transaction begins"
                          + " at this method, so it can be rerun whole), was REQUIRES_NEW");
              assertThatThrownBy(m::oneAttempt)
                  .isInstanceOf(IllegalStateException.class)
                  .hasMessage(
                      "@TxRetry(maxAttempts) on "
                          + name
                          + ".oneAttempt must be from 2 to 100, was 1");
            });
  }
}
