package dev.txguard.spring;

import dev.txguard.Isolation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code txguard.*} settings of the auto-configured {@link dev.txguard.Database} and {@link
 * dev.txguard.queue.JobQueue}. Where the connection is concerned, {@code txguard.url}, {@code
 * txguard.username} and {@code txguard.password} win; each one left unset is taken from {@code
 * spring.datasource.url}, {@code spring.datasource.username} and {@code
 * spring.datasource.password}. Every value is checked when the context starts; a bad one fails the
 * start with a message naming the property, the rule and the value (never a password). Bound once
 * at start-up; not meant to be changed afterwards.
 */
@ConfigurationProperties("txguard")
public class TxguardProperties {
  /** JDBC URL of the PostgreSQL database; default: spring.datasource.url. */
  private String url;

  /** User to connect as; default: spring.datasource.username. */
  private String username;

  /** Password to connect with; default: spring.datasource.password. */
  private String password;

  /** Connections of the level-0 pool (1 to 10,000). */
  private int poolSize = 10;

  /** Connections of each pool above level 0, used by REQUIRES_NEW and queue calls (1 to 10,000). */
  private int levelPoolSize = 4;

  /** How many pool levels may be used: REQUIRES_NEW nested this deep fails (at least 1). */
  private int maxLevels = 4;

  /**
   * How long a unit waits for a free connection, and a connection attempt may take (at least 250
   * ms).
   */
  private Duration connectionTimeout = Duration.ofSeconds(30);

  /** A unit open longer than this is reported as a possible leak, with its stack. */
  private Duration leakThreshold = Duration.ofSeconds(60);

  /** Isolation of units whose @Transactional asks for Isolation.DEFAULT. */
  private Isolation defaultIsolation = Isolation.READ_COMMITTED;

  /** Deadline of units whose @Transactional gives no timeout; default none. */
  private Duration defaultTimeout;

  /** Default attempts of a @TxRetry method that gives none (2 to 100). */
  private int retryMaxAttempts = 5;

  private final Queue queue = new Queue();

  /** Settings at their defaults; Spring binds {@code txguard.*} over them. */
  public TxguardProperties() {}

  /** The job queue's settings ({@code txguard.queue.*}). */
  public static class Queue {
    /** Whether to create a JobQueue bean. */
    private boolean enabled = true;

    /** Schema of the queue's table. */
    private String schema = "txguard_queue";

    /** Whether to run the queue's migrations when the context starts. */
    private boolean migrate = true;

    /**
     * Queues this process works, by name, with how many jobs of each run at once; default {@code
     * default=2} when handler beans exist.
     */
    private Map<String, Integer> queues = new LinkedHashMap<>();

    /** How long shutdown waits for running jobs before giving their leases back. */
    private Duration shutdownTimeout = Duration.ofSeconds(30);

    /** How often workers poll when no notification came. */
    private Duration pollInterval = Duration.ofSeconds(1);

    /** Whether this process runs jobs (and the maintenance leader election) at all. */
    private boolean workers = true;

    /** Settings at their defaults; Spring binds {@code txguard.queue.*} over them. */
    public Queue() {}

    /**
     * The value of {@code txguard.queue.enabled}.
     *
     * @return whether a JobQueue bean is created; default true
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets {@code txguard.queue.enabled} (see the field); checked when the context starts.
     *
     * @param enabled whether a JobQueue bean is created; default true
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * The value of {@code txguard.queue.schema}.
     *
     * @return the schema of the queue's table; default {@code txguard_queue}
     */
    public String getSchema() {
      return schema;
    }

    /**
     * Sets {@code txguard.queue.schema} (see the field); checked when the context starts.
     *
     * @param schema the schema of the queue's table; default {@code txguard_queue}
     */
    public void setSchema(String schema) {
      this.schema = schema;
    }

    /**
     * The value of {@code txguard.queue.migrate}.
     *
     * @return whether the queue's migrations run when the context starts; default true
     */
    public boolean isMigrate() {
      return migrate;
    }

    /**
     * Sets {@code txguard.queue.migrate} (see the field); checked when the context starts.
     *
     * @param migrate whether the queue's migrations run when the context starts; default true
     */
    public void setMigrate(boolean migrate) {
      this.migrate = migrate;
    }

    /**
     * The value of {@code txguard.queue.queues}.
     *
     * @return the worked queues by name, each with how many of its jobs run at once; empty by
     *     default (then {@code default=2} when handler beans exist)
     */
    public Map<String, Integer> getQueues() {
      return queues;
    }

    /**
     * Sets {@code txguard.queue.queues} (see the field); checked when the context starts.
     *
     * @param queues the worked queues by name, each with how many of its jobs run at once; empty by
     *     default (then {@code default=2} when handler beans exist)
     */
    public void setQueues(Map<String, Integer> queues) {
      this.queues = queues;
    }

    /**
     * The value of {@code txguard.queue.shutdown-timeout}.
     *
     * @return how long shutdown waits for running jobs before giving their leases back; default 30
     *     s
     */
    public Duration getShutdownTimeout() {
      return shutdownTimeout;
    }

    /**
     * Sets {@code txguard.queue.shutdown-timeout} (see the field); checked when the context starts.
     *
     * @param shutdownTimeout how long shutdown waits for running jobs before giving their leases
     *     back; default 30 s
     */
    public void setShutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
    }

    /**
     * The value of {@code txguard.queue.poll-interval}.
     *
     * @return how often workers poll when no notification came; default 1 s
     */
    public Duration getPollInterval() {
      return pollInterval;
    }

    /**
     * Sets {@code txguard.queue.poll-interval} (see the field); checked when the context starts.
     *
     * @param pollInterval how often workers poll when no notification came; default 1 s
     */
    public void setPollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
    }

    /**
     * The value of {@code txguard.queue.workers}.
     *
     * @return whether this process runs jobs and takes part in the maintenance leader election;
     *     default true
     */
    public boolean isWorkers() {
      return workers;
    }

    /**
     * Sets {@code txguard.queue.workers} (see the field); checked when the context starts.
     *
     * @param workers whether this process runs jobs and takes part in the maintenance leader
     *     election; default true
     */
    public void setWorkers(boolean workers) {
      this.workers = workers;
    }
  }

  /**
   * The value of {@code txguard.url}.
   *
   * @return the JDBC URL; null (the default) takes {@code spring.datasource.url}
   */
  public String getUrl() {
    return url;
  }

  /**
   * Sets {@code txguard.url} (see the field); checked when the context starts.
   *
   * @param url the JDBC URL; null (the default) takes {@code spring.datasource.url}
   */
  public void setUrl(String url) {
    this.url = url;
  }

  /**
   * The value of {@code txguard.username}.
   *
   * @return the user; null (the default) takes {@code spring.datasource.username}
   */
  public String getUsername() {
    return username;
  }

  /**
   * Sets {@code txguard.username} (see the field); checked when the context starts.
   *
   * @param username the user; null (the default) takes {@code spring.datasource.username}
   */
  public void setUsername(String username) {
    this.username = username;
  }

  /**
   * The value of {@code txguard.password}.
   *
   * @return the password; null (the default) takes {@code spring.datasource.password}
   */
  public String getPassword() {
    return password;
  }

  /**
   * Sets {@code txguard.password} (see the field); checked when the context starts.
   *
   * @param password the password; null (the default) takes {@code spring.datasource.password}
   */
  public void setPassword(String password) {
    this.password = password;
  }

  /**
   * The value of {@code txguard.pool-size}.
   *
   * @return connections of the level-0 pool, 1 to 10,000; default 10
   */
  public int getPoolSize() {
    return poolSize;
  }

  /**
   * Sets {@code txguard.pool-size} (see the field); checked when the context starts.
   *
   * @param poolSize connections of the level-0 pool, 1 to 10,000; default 10
   */
  public void setPoolSize(int poolSize) {
    this.poolSize = poolSize;
  }

  /**
   * The value of {@code txguard.level-pool-size}.
   *
   * @return connections of each pool above level 0, 1 to 10,000; default 4
   */
  public int getLevelPoolSize() {
    return levelPoolSize;
  }

  /**
   * Sets {@code txguard.level-pool-size} (see the field); checked when the context starts.
   *
   * @param levelPoolSize connections of each pool above level 0, 1 to 10,000; default 4
   */
  public void setLevelPoolSize(int levelPoolSize) {
    this.levelPoolSize = levelPoolSize;
  }

  /**
   * The value of {@code txguard.max-levels}.
   *
   * @return how many pool levels may be used, at least 1; default 4
   */
  public int getMaxLevels() {
    return maxLevels;
  }

  /**
   * Sets {@code txguard.max-levels} (see the field); checked when the context starts.
   *
   * @param maxLevels how many pool levels may be used, at least 1; default 4
   */
  public void setMaxLevels(int maxLevels) {
    this.maxLevels = maxLevels;
  }

  /**
   * The value of {@code txguard.connection-timeout}.
   *
   * @return how long a unit waits for a free connection, and a connection attempt may take; at
   *     least 250 ms, default 30 s
   */
  public Duration getConnectionTimeout() {
    return connectionTimeout;
  }

  /**
   * Sets {@code txguard.connection-timeout} (see the field); checked when the context starts.
   *
   * @param connectionTimeout how long a unit waits for a free connection, and a connection attempt
   *     may take; at least 250 ms, default 30 s
   */
  public void setConnectionTimeout(Duration connectionTimeout) {
    this.connectionTimeout = connectionTimeout;
  }

  /**
   * The value of {@code txguard.leak-threshold}.
   *
   * @return the age at which an open unit is reported as a possible leak; positive, default 60 s
   */
  public Duration getLeakThreshold() {
    return leakThreshold;
  }

  /**
   * Sets {@code txguard.leak-threshold} (see the field); checked when the context starts.
   *
   * @param leakThreshold the age at which an open unit is reported as a possible leak; positive,
   *     default 60 s
   */
  public void setLeakThreshold(Duration leakThreshold) {
    this.leakThreshold = leakThreshold;
  }

  /**
   * The value of {@code txguard.default-isolation}.
   *
   * @return the isolation of units whose @Transactional asks for Isolation.DEFAULT; default
   *     READ_COMMITTED
   */
  public Isolation getDefaultIsolation() {
    return defaultIsolation;
  }

  /**
   * Sets {@code txguard.default-isolation} (see the field); checked when the context starts.
   *
   * @param defaultIsolation the isolation of units whose @Transactional asks for Isolation.DEFAULT;
   *     default READ_COMMITTED
   */
  public void setDefaultIsolation(Isolation defaultIsolation) {
    this.defaultIsolation = defaultIsolation;
  }

  /**
   * The value of {@code txguard.default-timeout}.
   *
   * @return the deadline of units whose @Transactional gives no timeout; null (the default) for
   *     none
   */
  public Duration getDefaultTimeout() {
    return defaultTimeout;
  }

  /**
   * Sets {@code txguard.default-timeout} (see the field); checked when the context starts.
   *
   * @param defaultTimeout the deadline of units whose @Transactional gives no timeout; null (the
   *     default) for none
   */
  public void setDefaultTimeout(Duration defaultTimeout) {
    this.defaultTimeout = defaultTimeout;
  }

  /**
   * The value of {@code txguard.retry-max-attempts}.
   *
   * @return the attempts of a @TxRetry method that gives none, 2 to 100; default 5
   */
  public int getRetryMaxAttempts() {
    return retryMaxAttempts;
  }

  /**
   * Sets {@code txguard.retry-max-attempts} (see the field); checked when the context starts.
   *
   * @param retryMaxAttempts the attempts of a @TxRetry method that gives none, 2 to 100; default 5
   */
  public void setRetryMaxAttempts(int retryMaxAttempts) {
    this.retryMaxAttempts = retryMaxAttempts;
  }

  /**
   * The {@code txguard.queue.*} settings.
   *
   * @return the queue's settings, bound in place (never null)
   */
  public Queue getQueue() {
    return queue;
  }
}
