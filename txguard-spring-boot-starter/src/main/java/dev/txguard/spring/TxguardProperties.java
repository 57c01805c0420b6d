package dev.txguard.spring;

import dev.txguard.Isolation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code txguard.*} settings of the auto-configured {@link dev.txguard.Database} and
 * {@link dev.txguard.queue.JobQueue}. Where the connection is concerned, {@code txguard.url},
 * {@code txguard.username} and {@code txguard.password} win; each one left unset is taken from
 * {@code spring.datasource.url}, {@code spring.datasource.username} and
 * {@code spring.datasource.password}. Every value is checked when the context starts; a bad one
 * fails the start with a message naming the property, the rule and the value (never a password).
 * Bound once at start-up; not meant to be changed afterwards.
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

  /** How long a unit waits for a free connection, and a connection attempt may take (at least 250 ms). */
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

  /** The job queue's settings ({@code txguard.queue.*}). */
  public static class Queue {
    /** Whether to create a JobQueue bean. */
    private boolean enabled = true;

    /** Schema of the queue's table. */
    private String schema = "txguard_queue";

    /** Whether to run the queue's migrations when the context starts. */
    private boolean migrate = true;

    /**
     * Queues this process works, by name, with how many jobs of each run at once; default
     * {@code default=2} when handler beans exist.
     */
    private Map<String, Integer> queues = new LinkedHashMap<>();

    /** How long shutdown waits for running jobs before giving their leases back. */
    private Duration shutdownTimeout = Duration.ofSeconds(30);

    /** How often workers poll when no notification came. */
    private Duration pollInterval = Duration.ofSeconds(1);

    /** Whether this process runs jobs (and the maintenance leader election) at all. */
    private boolean workers = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getSchema() {
      return schema;
    }

    public void setSchema(String schema) {
      this.schema = schema;
    }

    public boolean isMigrate() {
      return migrate;
    }

    public void setMigrate(boolean migrate) {
      this.migrate = migrate;
    }

    public Map<String, Integer> getQueues() {
      return queues;
    }

    public void setQueues(Map<String, Integer> queues) {
      this.queues = queues;
    }

    public Duration getShutdownTimeout() {
      return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
    }

    public Duration getPollInterval() {
      return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
    }

    public boolean isWorkers() {
      return workers;
    }

    public void setWorkers(boolean workers) {
      this.workers = workers;
    }
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public String getUsername() {
    return username;
  }

  public void setUsername(String username) {
    this.username = username;
  }

  public String getPassword() {
    return password;
  }

  public void setPassword(String password) {
    this.password = password;
  }

  public int getPoolSize() {
    return poolSize;
  }

  public void setPoolSize(int poolSize) {
    this.poolSize = poolSize;
  }

  public int getLevelPoolSize() {
    return levelPoolSize;
  }

  public void setLevelPoolSize(int levelPoolSize) {
    this.levelPoolSize = levelPoolSize;
  }

  public int getMaxLevels() {
    return maxLevels;
  }

  public void setMaxLevels(int maxLevels) {
    this.maxLevels = maxLevels;
  }

  public Duration getConnectionTimeout() {
    return connectionTimeout;
  }

  public void setConnectionTimeout(Duration connectionTimeout) {
    this.connectionTimeout = connectionTimeout;
  }

  public Duration getLeakThreshold() {
    return leakThreshold;
  }

  public void setLeakThreshold(Duration leakThreshold) {
    this.leakThreshold = leakThreshold;
  }

  public Isolation getDefaultIsolation() {
    return defaultIsolation;
  }

  public void setDefaultIsolation(Isolation defaultIsolation) {
    this.defaultIsolation = defaultIsolation;
  }

  public Duration getDefaultTimeout() {
    return defaultTimeout;
  }

  public void setDefaultTimeout(Duration defaultTimeout) {
    this.defaultTimeout = defaultTimeout;
  }

  public int getRetryMaxAttempts() {
    return retryMaxAttempts;
  }

  public void setRetryMaxAttempts(int retryMaxAttempts) {
    this.retryMaxAttempts = retryMaxAttempts;
  }

  public Queue getQueue() {
    return queue;
  }
}
