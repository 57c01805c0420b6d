package dev.txguard.queue.internal;

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
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongConsumer;

/** The operators' reads and actions behind {@code QueueAdmin}; SQL in the {@code admin_*.sql} resources. */
public final class Admin {
  private static final int OVERDUE_LIMIT = 100;
  private static final int PRUNE_BATCH = 1000;
  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final QueueEngine engine;

  Admin(QueueConfig config, Sql sql, Now now, QueueEngine engine) {
    this.config = config;
    this.sql = sql;
    this.now = now;
    this.engine = engine;
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
    return config.db().inTx(readOnly("queue overview"), tx -> {
      Map<String, Map<JobState, Long>> counts = new LinkedHashMap<>();
      Map<String, Instant> oldest = new HashMap<>();
      Instant[] at = {null};
      tx.query(sql.adminOverview, rs -> {
        String q = rs.getString(1);
        counts.computeIfAbsent(q, k -> new EnumMap<>(JobState.class)).put(JobState.fromSql(rs.getString(2)),
            rs.getLong(3));
        Instant o = instant(rs.getObject(4, OffsetDateTime.class));
        if (o != null) {
          oldest.put(q, o);
        }
        at[0] = instant(rs.getObject(5, OffsetDateTime.class));
        return null;
      }, now.param());
      Instant when = at[0] != null ? at[0]
          : tx.queryOne("select coalesce(?::timestamptz, now())", rs -> instant(rs.getObject(1, OffsetDateTime.class)),
              now.param()).orElseThrow();
      List<QueueCounts> queues = new ArrayList<>();
      counts.forEach((q, m) -> queues.add(new QueueCounts(q, m, Optional.ofNullable(oldest.get(q))
          .map(o -> o.isAfter(when) ? Duration.ZERO : Duration.between(o, when)))));
      List<OverdueAttempt> overdue = tx.query(sql.adminOverdue, rs -> new OverdueAttempt(rs.getLong(1),
          rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), instant(rs.getObject(6, OffsetDateTime.class)),
          instant(rs.getObject(7, OffsetDateTime.class)), instant(rs.getObject(8, OffsetDateTime.class))),
          now.param(), OVERDUE_LIMIT);
      return new Overview(when, queues, overdue);
    });
  }

  /** See {@code QueueAdmin.list}. */
  public Page list(JobFilter f) {
    List<JobSummary> rows = config.db().inTx(readOnly("list jobs"), tx -> tx.query(sql.adminList,
        rs -> new JobSummary(rs.getLong(1), rs.getString(2), rs.getString(3), JobState.fromSql(rs.getString(4)),
            rs.getInt(5), rs.getInt(6), rs.getInt(7), instant(rs.getObject(8, OffsetDateTime.class)),
            instant(rs.getObject(9, OffsetDateTime.class)),
            Optional.ofNullable(instant(rs.getObject(10, OffsetDateTime.class))), Optional.ofNullable(rs.getString(11))),
        f.states().isEmpty() ? null : f.states().stream().map(JobState::sqlName).sorted().toArray(String[]::new),
        f.kinds().isEmpty() ? null : f.kinds().toArray(String[]::new),
        f.queues().isEmpty() ? null : f.queues().toArray(String[]::new),
        f.group().orElse(null), now.param(),
        f.olderThan().map(Duration::toMillis).orElse(null), f.newerThan().map(Duration::toMillis).orElse(null),
        f.before().isPresent() ? f.before().getAsLong() : null, f.limit() + 1));
    if (rows.size() > f.limit()) {
      List<JobSummary> page = rows.subList(0, f.limit());
      return new Page(page, OptionalLong.of(page.get(page.size() - 1).id()));
    }
    return new Page(rows, OptionalLong.empty());
  }

  /** See {@code QueueAdmin.retry}. */
  public List<Change> retry(List<Long> ids) {
    Long[] array = ids.toArray(Long[]::new);
    Map<Long, Boolean> retried = new HashMap<>();
    Map<Long, JobState> states = config.db().inTx(config.txOptions().name("retry jobs"), tx -> {
      List<Object[]> rows = tx.query(sql.adminRetry, rs -> new Object[] {rs.getLong(1), rs.getString(2)},
          now.param(), array);
      rows.forEach(r -> retried.put((Long) r[0], true));
      rows.stream().map(r -> (String) r[1]).distinct()
          .forEach(q -> tx.queryOne("select pg_notify(?, ?)::text", rs -> rs.getString(1), sql.channel, q));
      return statesOf(tx, array);
    });
    return changes(ids, states, retried);
  }

  /** See {@code QueueAdmin.cancel}. */
  public List<Change> cancel(List<Long> ids) {
    Map<Long, Boolean> changed = new HashMap<>();
    for (Long id : ids) {
      changed.put(id, engine.cancel(id));
    }
    Long[] array = ids.toArray(Long[]::new);
    Map<Long, JobState> states = config.db().inTx(readOnly("job states"), tx -> statesOf(tx, array));
    return changes(ids, states, changed);
  }

  /** See {@code QueueAdmin.prune}. */
  public long prune(Duration olderThan, LongConsumer progress) {
    long total = 0;
    while (true) {
      int n = config.db().inTx(config.txOptions().name("prune jobs"), tx -> tx.update(sql.deleteFinished,
          now.param(), olderThan.toMillis(), PRUNE_BATCH));
      total += n;
      progress.accept(total);
      if (n < PRUNE_BATCH) {
        return total;
      }
    }
  }

  private Map<Long, JobState> statesOf(dev.txguard.Tx tx, Long[] ids) {
    Map<Long, JobState> states = new HashMap<>();
    tx.query(sql.adminStates, rs -> states.put(rs.getLong(1), JobState.fromSql(rs.getString(2))), (Object) ids);
    return states;
  }

  private static List<Change> changes(List<Long> ids, Map<Long, JobState> states, Map<Long, Boolean> changed) {
    return ids.stream().map(id -> new Change(id, Optional.ofNullable(states.get(id)),
        changed.getOrDefault(id, false))).toList();
  }

  private TxOptions readOnly(String name) {
    return config.txOptions().name(name).readOnly(true);
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
