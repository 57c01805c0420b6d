package dev.txguard.spring;

import dev.txguard.Database;
import dev.txguard.TxListener;
import dev.txguard.micrometer.TxguardMetrics;
import dev.txguard.queue.JobQueue;
import dev.txguard.spring.internal.DatabaseFactory;
import dev.txguard.spring.internal.HandlerBeans;
import dev.txguard.spring.internal.LazyInterceptor;
import dev.txguard.spring.internal.QueueLifecycle;
import dev.txguard.spring.internal.TxRetryInterceptor;
import dev.txguard.spring.internal.TxguardHealthIndicator;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.aop.Advisor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.transaction.annotation.AnnotationTransactionAttributeSource;
import org.springframework.transaction.interceptor.TransactionAttributeSource;

/**
 * txguard for a Spring Boot application, listed in {@code
 * META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports}:
 *
 * <ul>
 *   <li>a {@link Database} from {@code txguard.*} / {@code spring.datasource.*} ({@link
 *       TxguardProperties}), its listeners being every {@link TxListener} bean (and Micrometer
 *       meters when a {@code MeterRegistry} exists);
 *   <li>the {@code DataSource} bean: {@code db.dataSource()}, transaction-aware (it runs before
 *       Boot's DataSource auto-configuration, which then backs off);
 *   <li>a {@link TxguardTransactionManager} for {@code @Transactional} and {@code
 *       TransactionTemplate}, and the {@link TxRetry} advice;
 *   <li>a {@link JobQueue} with the {@link JobKind} beans as handlers, migrated at start-up ({@code
 *       txguard.queue.migrate}), started and stopped with the context;
 *   <li>the actuator health indicator {@code txguard}.
 * </ul>
 *
 * Every bean backs off when the application defines its own of that type.
 */
@AutoConfiguration(
    beforeName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
      "org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration"
    },
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration"
    })
@EnableConfigurationProperties(TxguardProperties.class)
public class TxguardAutoConfiguration {
  /** Creates the auto-configuration; Spring calls it. */
  public TxguardAutoConfiguration() {}

  /**
   * The database, built and connected at start-up; closed with the context.
   *
   * @param properties the {@code txguard.*} settings
   * @param env for the {@code spring.datasource.*} settings txguard's own leave unset
   * @param listeners every TxListener bean, in order, all receiving the database's events
   * @return the started database; Spring closes it with the context
   */
  @Bean
  @ConditionalOnMissingBean
  public Database txguardDatabase(
      TxguardProperties properties, Environment env, ObjectProvider<TxListener> listeners) {
    return DatabaseFactory.build(properties, env, listeners.orderedStream().toList());
  }

  /**
   * {@code db.dataSource()}: inside a unit it lends the unit's connection.
   *
   * @param db the auto-configured database
   * @return the database's transaction-aware view, {@link Database#dataSource()}
   */
  @Bean
  @ConditionalOnMissingBean(DataSource.class)
  public DataSource dataSource(Database db) {
    return db.dataSource();
  }

  /**
   * The transaction manager; fails the start when a DataSource bean other than txguard's exists,
   * since code using it would not join the units.
   *
   * @param db the database whose units the manager runs
   * @param properties for the defaults of units ({@code txguard.default-*})
   * @param dataSources not read: the check reads every DataSource bean through {@code beans}
   * @param beans for the DataSource beans to check
   * @return the manager for {@code @Transactional} and {@code TransactionTemplate}
   */
  @Bean
  @ConditionalOnMissingBean(org.springframework.transaction.TransactionManager.class)
  public TxguardTransactionManager transactionManager(
      Database db,
      TxguardProperties properties,
      ObjectProvider<DataSource> dataSources,
      ConfigurableListableBeanFactory beans) {
    for (Map.Entry<String, DataSource> e : beans.getBeansOfType(DataSource.class).entrySet()) {
      if (e.getValue() != db.dataSource()) {
        throw new IllegalStateException(
            "DataSource bean '"
                + e.getKey()
                + "' ("
                + e.getValue().getClass().getName()
                + ") is not txguard's: JdbcTemplate and jOOQ over it would not join @Transactional units. Remove it"
                + " and configure the database with txguard.url or spring.datasource.url, or define no"
                + " TransactionManager bean of txguard's (define your own PlatformTransactionManager)");
      }
    }
    return new TxguardTransactionManager(db, DatabaseFactory.defaults(properties));
  }

  /**
   * The {@link TxRetry} advice, ordered just outside Spring's transaction advice.
   *
   * @param manager the transaction manager the retried units run in, looked up on first use
   * @param attributes the {@code @Transactional} attributes, or Spring's annotation reader when
   *     there is no such bean
   * @param properties for {@code txguard.retry-max-attempts}
   * @return the advisor; it matches methods and classes annotated with {@link TxRetry}
   */
  @Bean
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  public static Advisor txguardRetryAdvisor(
      ObjectProvider<TxguardTransactionManager> manager,
      ObjectProvider<TransactionAttributeSource> attributes,
      ObjectProvider<TxguardProperties> properties) {
    ComposablePointcut pointcut =
        new ComposablePointcut(new AnnotationMatchingPointcut(null, TxRetry.class, true))
            .union(new AnnotationMatchingPointcut(TxRetry.class, true));
    TxRetryInterceptor.RetriedUnit unit =
        (def, work, n) -> manager.getObject().inUnit(def, work, false, n);
    DefaultPointcutAdvisor advisor =
        new DefaultPointcutAdvisor(
            pointcut,
            new LazyInterceptor(
                () ->
                    new TxRetryInterceptor(
                        attributes.getIfAvailable(AnnotationTransactionAttributeSource::new),
                        unit,
                        properties.getObject().getRetryMaxAttempts())));
    advisor.setOrder(Ordered.LOWEST_PRECEDENCE - 1);
    return advisor;
  }

  /** The queue and its lifecycle ({@code txguard.queue.enabled}, default true). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(prefix = "txguard.queue", name = "enabled", matchIfMissing = true)
  static class QueueConfiguration {
    @Bean
    @ConditionalOnMissingBean
    JobQueue txguardJobQueue(
        Database db,
        TxguardProperties properties,
        ConfigurableListableBeanFactory beans,
        ObjectProvider<JobQueueCustomizer> customizers) {
      TxguardProperties.Queue q = properties.getQueue();
      JobQueue.Builder b = JobQueue.builder(db);
      DatabaseFactory.set("txguard.queue.schema", b::schema, q.getSchema());
      DatabaseFactory.set("txguard.queue.poll-interval", b::pollInterval, q.getPollInterval());
      int handlers = HandlerBeans.register(b, beans);
      Map<String, Integer> queues =
          q.getQueues().isEmpty() && handlers > 0 ? Map.of("default", 2) : q.getQueues();
      queues.forEach(
          (name, n) -> DatabaseFactory.set("txguard.queue.queues." + name, () -> b.queue(name, n)));
      customizers.orderedStream().forEach(c -> c.customize(b));
      JobQueue queue = b.build();
      if (q.isMigrate()) {
        queue.migrate();
      }
      return queue;
    }

    @Bean
    @ConditionalOnProperty(prefix = "txguard.queue", name = "workers", matchIfMissing = true)
    QueueLifecycle txguardQueueLifecycle(
        JobQueue queue, TxguardProperties properties, ConfigurableListableBeanFactory beans) {
      TxguardProperties.Queue q = properties.getQueue();
      if (q.getShutdownTimeout() == null || q.getShutdownTimeout().isNegative()) {
        throw new IllegalStateException(
            "txguard.queue.shutdown-timeout must be zero or positive, was "
                + q.getShutdownTimeout());
      }
      boolean works =
          !q.getQueues().isEmpty() || beans.getBeanNamesForAnnotation(JobKind.class).length > 0;
      return new QueueLifecycle(queue, q.getShutdownTimeout(), works);
    }
  }

  /** Micrometer meters, when the application has a registry and txguard-micrometer. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({MeterRegistry.class, TxguardMetrics.class})
  @ConditionalOnBean(MeterRegistry.class)
  static class MetricsConfiguration {
    @Bean
    @ConditionalOnMissingBean
    TxguardMetrics txguardMetrics(MeterRegistry registry) {
      return new TxguardMetrics(registry);
    }

    /** The pool gauges, once the database (which listens to the meters) exists. */
    @Bean
    SmartInitializingSingleton txguardPoolGauges(
        ObjectProvider<TxguardMetrics> metrics, ObjectProvider<Database> db) {
      return () -> metrics.ifAvailable(m -> db.ifAvailable(m::bindPools));
    }
  }

  /** The actuator health indicator {@code txguard}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.AbstractHealthIndicator")
  @ConditionalOnEnabledHealthIndicator("txguard")
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "txguardHealthIndicator")
    TxguardHealthIndicator txguardHealthIndicator(Database db, ObjectProvider<JobQueue> queue) {
      return new TxguardHealthIndicator(db, queue);
    }
  }
}
