package dev.txguard.queue.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.txguard.Database;
import dev.txguard.Isolation;
import dev.txguard.TxOptions;
import dev.txguard.internal.ConnectionSource;
import dev.txguard.queue.EnqueueOptions;
import dev.txguard.queue.QueueListener;
import dev.txguard.queue.Schedule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * What {@code JobQueue.Builder} collects, with its checks (the builder's javadoc states each rule);
 * {@link #build()} checks the settings together into a {@link QueueConfig}. Not thread-safe, like
 * the builder.
 */
public final class QueueSettings {
  /** The longest retention and retry delay: far in the future, yet well within timestamptz. */
  private static final Duration LONGEST = Duration.ofDays(36_500);

  private final Database db;
  private String schema = "txguard_queue";
  private String url;
  private String user;
  private String password;
  private final List<Kind> kinds = new ArrayList<>();
  private final Map<String, Integer> queues = new LinkedHashMap<>();
  private final Map<String, Periodic> schedules = new LinkedHashMap<>();
  private int fetchBatchSize = 20;

  private int prefetch;

  private Duration pollInterval = Duration.ofSeconds(1);
  private Duration leaseDuration = Duration.ofSeconds(30);
  private Duration maintenanceInterval = Duration.ofSeconds(1);
  private Duration retention = Duration.ofDays(1);
  private Duration backoffInitial = Duration.ofSeconds(1);
  private Duration backoffMax = Duration.ofHours(1);
  private QueueListener listener = new QueueListener() {};
  private TxOptions txOptions = TxOptions.defaults();
  private ObjectMapper mapper;
  private Clock clock;
  private String owner;
  private int runLevels = 2;

  /** Settings for a queue in {@code db}; throws if it is null. */
  public QueueSettings(Database db) {
    this.db = Checks.require("db", db);
  }

  public void schema(String schema) {
    this.schema = Checks.schema(schema);
  }

  public void controlConnection(String url, String user, String password) {
    if (url == null || !url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "controlConnection url must start with jdbc:postgresql:, was "
              + Checks.quote(Bounded.message(ConnectionSource.redact(url, null))));
    }
    this.url = url;
    this.user = user;
    this.password = password;
  }

  /** Registers a kind; {@code handler} and {@code txHandler} null for a declared kind. */
  public void kind(
      String name, Class<?> argsType, Object handler, boolean transactional, boolean declared) {
    if (!declared) {
      Checks.require("handler", handler);
    }
    Checks.queueName("kind", name);
    if (argsType == null) {
      throw new IllegalArgumentException("argsType of kind '" + name + "' must not be null");
    }
    Kind kind =
        new Kind(
            name,
            argsType,
            transactional ? null : (dev.txguard.queue.JobHandler<?>) handler,
            transactional ? (dev.txguard.queue.TransactionalHandler<?>) handler : null);
    for (Kind k : kinds) {
      if (k.name().equals(name)) {
        throw new IllegalArgumentException(
            "kind '" + name + "' is already registered (for " + k.argsType().getName() + ")");
      }
      if (k.argsType().equals(argsType)) {
        throw new IllegalArgumentException(
            "args type "
                + argsType.getName()
                + " is already registered for"
                + " kind '"
                + k.name()
                + "'; each kind needs a type of its own");
      }
    }
    kinds.add(kind);
  }

  /** Declares a schedule: constant arguments ({@code constant} not null) or computed ones. */
  public void schedule(
      String name,
      Schedule when,
      EnqueueOptions options,
      Object constant,
      Function<Instant, ?> args) {
    Checks.require("args of schedule '" + name + "'", constant != null ? constant : args);
    Checks.queueName("schedule name", name);
    Checks.require("schedule '" + name + "'", when);
    Checks.require("options of schedule '" + name + "'", options);
    if (schedules.containsKey(name)) {
      throw new IllegalArgumentException(
          "schedule '"
              + name
              + "' is already declared ("
              + schedules.get(name).when().definition()
              + "); each schedule needs a name of its own");
    }
    schedules.put(
        name, new Periodic(name, when, options, constant, constant != null ? t -> constant : args));
  }

  public void queue(String queue, int concurrency) {
    Checks.queueName("queue", queue);
    if (concurrency < 1 || concurrency > 10_000) {
      throw new IllegalArgumentException(
          "concurrency of queue '" + queue + "' must be between 1 and 10000, was " + concurrency);
    }
    queues.put(queue, concurrency);
  }

  public void fetchBatchSize(int size) {
    if (size < 1 || size > 1000) {
      throw new IllegalArgumentException("fetchBatchSize must be between 1 and 1000, was " + size);
    }
    this.fetchBatchSize = size;
  }

  public void prefetch(int jobs) {
    if (jobs < 0 || jobs > 10_000) {
      throw new IllegalArgumentException("prefetch must be between 0 and 10000, was " + jobs);
    }
    this.prefetch = jobs;
  }

  public void pollInterval(Duration interval) {
    this.pollInterval =
        Checks.between("pollInterval", interval, Duration.ofMillis(10), Duration.ofDays(1));
  }

  public void leaseDuration(Duration lease) {
    this.leaseDuration =
        Checks.between("leaseDuration", lease, Duration.ofMillis(100), Duration.ofDays(1));
  }

  public void maintenanceInterval(Duration interval) {
    this.maintenanceInterval =
        Checks.between("maintenanceInterval", interval, Duration.ofMillis(10), Duration.ofDays(1));
  }

  public void retention(Duration retention) {
    this.retention = Checks.between("retention", retention, Duration.ofSeconds(1), LONGEST);
  }

  public void retryBackoff(Duration initial, Duration max) {
    if (initial == null || initial.isNegative()) {
      throw new IllegalArgumentException(
          "retryBackoff initial must be zero or positive, was " + initial);
    }
    if (max == null || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "retryBackoff max must be at least initial (" + initial + "), was " + max);
    }
    if (max.compareTo(LONGEST) > 0) {
      throw new IllegalArgumentException(
          "retryBackoff max must be at most " + LONGEST + " (100 years), was " + max);
    }
    this.backoffInitial = initial;
    this.backoffMax = max;
  }

  public void listener(QueueListener listener) {
    this.listener = Checks.require("listener", listener);
  }

  public void txOptions(TxOptions options) {
    Checks.require("txOptions", options);
    if (options.isolation() != Isolation.READ_COMMITTED) {
      throw new IllegalArgumentException(
          "txOptions isolation must be READ_COMMITTED, was "
              + options.isolation()
              + ": the heartbeat updates a running job's row every third of the lease, so a transactional handler's"
              + " unit at "
              + options.isolation().sql()
              + " running longer than that fails its completion with a"
              + " serialization failure (40001) on every try. A handler needing a stricter unit opens its own:"
              + " db.inTx(options, ...) from a plain handler, db.inNewTx(options, ...) from a transactional one"
              + " (one level up, committing on its own)");
    }
    if (options.readOnly()) {
      throw new IllegalArgumentException(
          "txOptions must not be read-only: the queue claims, completes and"
              + " records jobs in these units; a handler that only reads can open its own read-only unit");
    }
    this.txOptions = options;
  }

  public void objectMapper(ObjectMapper mapper) {
    this.mapper = Checks.require("objectMapper", mapper);
  }

  public void clock(Clock clock) {
    this.clock = Checks.require("clock", clock);
  }

  /**
   * The owner names the control connection's session ({@code application_name}), where PostgreSQL
   * keeps printable ASCII only and replaces other characters (documentation, "Logging", {@code
   * application_name}): an owner with others would show as two processes in {@code processes()},
   * the session's and the leases' (break-it review, session 16).
   */
  public void owner(String owner) {
    Checks.notBlank("owner", owner);
    for (int i = 0; i < owner.length(); i++) {
      char c = owner.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new IllegalArgumentException(
            "owner must be printable ASCII (PostgreSQL keeps only those in the session name that"
                + " shows the process), found "
                + Checks.codeUnit(c)
                + " at index "
                + i
                + ": use a name of letters, digits and punctuation");
      }
    }
    this.owner = owner;
  }

  public void runLevels(int levels) {
    if (levels < 1 || levels > 8) {
      throw new IllegalArgumentException("runLevels must be between 1 and 8, was " + levels);
    }
    this.runLevels = levels;
  }

  /**
   * The settings, checked together.
   *
   * @throws IllegalStateException if a worked queue has no kind to run
   */
  public QueueConfig build() {
    if (!queues.isEmpty() && kinds.stream().noneMatch(Kind::runnable)) {
      throw new IllegalStateException(
          "queues "
              + queues.keySet()
              + " are worked but no handler is registered:"
              + " add handle(...) or handleInTx(...)");
    }
    return new QueueConfig(
        db,
        schema,
        url,
        user,
        password,
        new Kinds(kinds),
        Map.copyOf(queues),
        fetchBatchSize,
        prefetch,
        pollInterval,
        leaseDuration,
        maintenanceInterval,
        retention,
        backoffInitial,
        backoffMax,
        listener,
        txOptions,
        mapper != null ? mapper : JsonMapper.builder().build(),
        clock,
        owner != null ? owner : defaultOwner(),
        runLevels,
        List.copyOf(schedules.values()));
  }

  private static String defaultOwner() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "unknown-host";
    }
    return host
        + "/"
        + ProcessHandle.current().pid()
        + "/"
        + UUID.randomUUID().toString().substring(0, 8);
  }
}
