package dev.txguard.queue.internal;

import dev.txguard.Tx;
import dev.txguard.TxOptions;
import dev.txguard.queue.JobFilter;
import dev.txguard.queue.JobState;
import dev.txguard.queue.QueueAdmin.Change;
import dev.txguard.queue.QueueAdmin.JobSummary;
import dev.txguard.queue.QueueAdmin.MigrationResult;
import dev.txguard.queue.QueueAdmin.MigrationStatus;
import dev.txguard.queue.QueueAdmin.OverdueAttempt;
import dev.txguard.queue.QueueAdmin.Overview;
import dev.txguard.queue.QueueAdmin.Page;
import dev.txguard.queue.QueueAdmin.QueueCounts;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiFunction;
import java.util.function.LongConsumer;

/**
 * The operators' reads and actions behind {@code QueueAdmin}; SQL in the {@code admin_*.sql}
 * resources.
 */
public final class Admin {
  private static final int OVERDUE_LIMIT = 100;
  private static final int PRUNE_BATCH = 1000;
  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final QueueEngine engine;
  private final Notifier notifier;

  Admin(QueueConfig config, Sql sql, Now now, QueueEngine engine) {
    this.config = config;
    this.sql = sql;
    this.now = now;
    this.engine = engine;
    this.notifier = new Notifier(sql);
  }

  /** The schema worked on. */
  public String schema() {
    return sql.schema;
  }

  /** The views added for the dashboard (throughput, processes, schedules). */
  public AdminViews views() {
    return new AdminViews(config, sql, now);
  }

  /** See {@code QueueAdmin.migrationStatus}. */
  public MigrationStatus migrationStatus() {
    return new Migrator(config.db(), sql).status();
  }

  /** See {@code QueueAdmin.migrate}. */
  public MigrationResult migrate() {
    return new Migrator(config.db(), sql).migrate();
  }

  /** See {@code QueueAdmin.overview}. */
  public Overview overview() {
    return LoopFailures.namingMigrate(
        sql.schema,
        "reading the overview",
        () -> config.db().inTx(readOnly("queue overview"), this::overview));
  }

  private Overview overview(Tx tx) {
    Map<String, Map<JobState, Long>> counts = new LinkedHashMap<>();
    Map<String, Instant> oldest = new HashMap<>();
    tx.query(
        sql.adminOverview,
        rs -> {
          String q = rs.getString("queue");
          counts
              .computeIfAbsent(q, k -> new EnumMap<>(JobState.class))
              .put(Rows.state(rs), rs.getLong("count"));
          Rows.optionalInstant(rs, "oldest_available").ifPresent(o -> oldest.put(q, o));
          return null;
        },
        now.param());
    Instant when =
        tx.queryOne(sql.clockNow, rs -> Rows.instant(rs, "now"), now.param()).orElseThrow();
    List<OverdueAttempt> overdue =
        tx.query(sql.adminOverdue, Admin::overdue, now.param(), OVERDUE_LIMIT);
    return new Overview(when, queueCounts(counts, oldest, when), overdue);
  }

  /**
   * Each queue's counts by state, and how long its oldest available job has waited at {@code when}.
   */
  private static List<QueueCounts> queueCounts(
      Map<String, Map<JobState, Long>> counts, Map<String, Instant> oldest, Instant when) {
    List<QueueCounts> queues = new ArrayList<>();
    counts.forEach(
        (q, m) ->
            queues.add(
                new QueueCounts(
                    q,
                    m,
                    Optional.ofNullable(oldest.get(q))
                        .map(o -> o.isAfter(when) ? Duration.ZERO : Duration.between(o, when)))));
    return queues;
  }

  private static OverdueAttempt overdue(ResultSet rs) throws SQLException {
    return new OverdueAttempt(
        rs.getLong("id"),
        rs.getString("kind"),
        rs.getString("queue"),
        rs.getString("lease_owner"),
        rs.getInt("attempt"),
        Rows.instant(rs, "attempted_at"),
        Rows.instant(rs, "leased_at"),
        Rows.instant(rs, "lease_expires_at"));
  }

  /** See {@code QueueAdmin.list}. */
  public Page list(JobFilter f) {
    return LoopFailures.namingMigrate(sql.schema, "listing jobs", () -> listPage(f));
  }

  private Page listPage(JobFilter f) {
    List<JobSummary> rows =
        config
            .db()
            .inTx(
                readOnly("list jobs"),
                tx ->
                    tx.query(
                        sql.adminList,
                        Admin::summary,
                        f.states().isEmpty()
                            ? null
                            : f.states().stream()
                                .map(JobState::sqlName)
                                .sorted()
                                .toArray(String[]::new),
                        f.kinds().isEmpty() ? null : f.kinds().toArray(String[]::new),
                        f.queues().isEmpty() ? null : f.queues().toArray(String[]::new),
                        f.group().orElse(null),
                        now.param(),
                        f.olderThan().map(Duration::toMillis).orElse(null),
                        f.newerThan().map(Duration::toMillis).orElse(null),
                        f.before().isPresent() ? f.before().getAsLong() : null,
                        f.limit() + 1));
    if (rows.size() > f.limit()) {
      List<JobSummary> page = rows.subList(0, f.limit());
      return new Page(page, OptionalLong.of(page.get(page.size() - 1).id()));
    }
    return new Page(rows, OptionalLong.empty());
  }

  private static JobSummary summary(ResultSet rs) throws SQLException {
    return new JobSummary(
        rs.getLong("id"),
        rs.getString("kind"),
        rs.getString("queue"),
        Rows.state(rs),
        rs.getInt("priority"),
        rs.getInt("attempt"),
        rs.getInt("max_attempts"),
        Rows.instant(rs, "created_at"),
        Rows.instant(rs, "run_at"),
        Rows.optionalInstant(rs, "finalized_at"),
        Optional.ofNullable(rs.getString("job_group")));
  }

  /** See {@code QueueAdmin.retry}. */
  public List<Change> retry(List<Long> ids) {
    return LoopFailures.namingMigrate(sql.schema, "retrying jobs", () -> retryAll(ids));
  }

  private List<Change> retryAll(List<Long> ids) {
    Long[] array = ids.toArray(Long[]::new);
    Map<Long, Boolean> retried = new HashMap<>();
    Map<Long, JobState> states =
        config
            .db()
            .inTx(
                config.txOptions().name("retry jobs"),
                tx -> {
                  retried.clear(); // a retried unit starts over
                  List<Rows.Retried> rows =
                      tx.query(sql.adminRetry, Rows.Retried::read, now.param(), array);
                  rows.forEach(r -> retried.put(r.id(), true));
                  notifier.jobsAvailable(tx, rows.stream().map(Rows.Retried::wake).toList());
                  return statesOf(tx, array);
                });
    return changes(ids, states, retried, Admin::retryOutcome);
  }

  /** What a retry did, or why it did not (admin_retry.sql's conditions). */
  static String retryOutcome(Optional<JobState> state, boolean changed) {
    if (changed) {
      return "retried (now " + state.map(JobState::sqlName).orElse("gone") + ")";
    }
    if (state.isEmpty()) {
      return "not retried: no such job";
    }
    JobState s = state.get();
    if (s == JobState.FAILED || s == JobState.DISCARDED) {
      return "not retried: its unique key is held by another unfinished job";
    }
    return "not retried: " + s.sqlName() + " (only failed or discarded jobs are retried)";
  }

  /** What a cancel did, or why it did not (cancel_job.sql's conditions). */
  static String cancelOutcome(Optional<JobState> state, boolean changed) {
    if (state.isEmpty()) {
      return "not cancelled: no such job";
    }
    JobState s = state.get();
    if (changed) {
      return s == JobState.RUNNING ? "asked to stop (running)" : "cancelled";
    }
    return "not cancelled: already " + s.sqlName();
  }

  /** See {@code QueueAdmin.cancel}. */
  public List<Change> cancel(List<Long> ids) {
    Map<Long, Boolean> changed = new HashMap<>();
    for (Long id : ids) {
      changed.put(id, engine.cancel(id));
    }
    Long[] array = ids.toArray(Long[]::new);
    Map<Long, JobState> states =
        LoopFailures.namingMigrate(
            sql.schema,
            "reading the jobs' states",
            () -> config.db().inTx(readOnly("job states"), tx -> statesOf(tx, array)));
    return changes(ids, states, changed, Admin::cancelOutcome);
  }

  /** See {@code QueueAdmin.prune}. */
  public long prune(Duration olderThan, LongConsumer progress) {
    return LoopFailures.namingMigrate(
        sql.schema, "pruning jobs", () -> pruneAll(olderThan, progress));
  }

  private long pruneAll(Duration olderThan, LongConsumer progress) {
    long total = 0;
    while (true) {
      int n =
          config
              .db()
              .inTx(
                  config.txOptions().name("prune jobs"),
                  tx ->
                      tx.update(
                          sql.deleteFinished, now.param(), olderThan.toMillis(), PRUNE_BATCH));
      total += n;
      progress.accept(total);
      if (n < PRUNE_BATCH) {
        return total;
      }
    }
  }

  private Map<Long, JobState> statesOf(dev.txguard.Tx tx, Long[] ids) {
    Map<Long, JobState> states = new HashMap<>();
    tx.query(sql.adminStates, rs -> states.put(rs.getLong("id"), Rows.state(rs)), (Object) ids);
    return states;
  }

  private static List<Change> changes(
      List<Long> ids,
      Map<Long, JobState> states,
      Map<Long, Boolean> changed,
      BiFunction<Optional<JobState>, Boolean, String> outcome) {
    return ids.stream()
        .map(
            id -> {
              Optional<JobState> state = Optional.ofNullable(states.get(id));
              boolean did = changed.getOrDefault(id, false);
              return new Change(id, state, did, outcome.apply(state, did));
            })
        .toList();
  }

  private TxOptions readOnly(String name) {
    return config.txOptions().name(name).readOnly(true);
  }
}
