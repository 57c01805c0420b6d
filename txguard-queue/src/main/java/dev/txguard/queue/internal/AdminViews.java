package dev.txguard.queue.internal;

import dev.txguard.TxOptions;
import dev.txguard.queue.JobDetail;
import dev.txguard.queue.JobState;
import dev.txguard.queue.QueueProcess;
import dev.txguard.queue.ScheduleStatus;
import dev.txguard.queue.Throughput;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The operators' views added for the dashboard: throughput per minute, processes and the leader,
 * schedules with their last and next runs, one job with its large texts cut. SQL in {@code
 * admin_throughput.sql}, {@code admin_processes.sql}, {@code admin_schedules.sql} and {@code
 * admin_detail.sql}; each view is one read-only unit.
 */
public final class AdminViews {
  /** What a started queue's control connection calls itself, before the owner. */
  private static final String SESSION_PREFIX = "txguard ";

  private final QueueConfig config;
  private final Sql sql;
  private final Now now;
  private final String throughputSql;
  private final String processesSql;
  private final String schedulesSql;
  private final JsonCodec json;

  AdminViews(QueueConfig config, Sql sql, Now now) {
    this.config = config;
    this.sql = sql;
    this.now = now;
    this.throughputSql = sql.adminThroughput;
    this.processesSql = sql.adminProcesses;
    this.schedulesSql = sql.adminSchedules;
    this.json = new JsonCodec(config.mapper());
  }

  /**
   * The {@code application_name} of a started queue's control connection (the server cuts it at 63
   * bytes).
   */
  static String sessionName(String schema, String owner) {
    return SESSION_PREFIX + schema + " " + owner;
  }

  /** See {@code QueueAdmin.throughput}. */
  public Throughput throughput(Duration window) {
    return LoopFailures.namingMigrate(
        sql.schema, "reading the throughput", () -> throughputOf(window));
  }

  private Throughput throughputOf(Duration window) {
    return config
        .db()
        .inTx(
            readOnly("queue throughput"),
            tx -> {
              Instant to =
                  tx.queryOne(
                          "select coalesce(?::timestamptz, now())",
                          rs -> rs.getObject(1, OffsetDateTime.class).toInstant(),
                          now.param())
                      .orElseThrow();
              Map<Instant, Map<JobState, Long>> counts = new TreeMap<>();
              tx.query(
                  throughputSql,
                  rs ->
                      counts
                          .computeIfAbsent(
                              rs.getObject(1, OffsetDateTime.class).toInstant(),
                              k -> new EnumMap<>(JobState.class))
                          .put(JobState.fromSql(rs.getString(2)), rs.getLong(3)),
                  OffsetDateTime.ofInstant(to, java.time.ZoneOffset.UTC),
                  window.toMillis());
              return new Throughput(to.minus(window), to, minutes(to.minus(window), to, counts));
            });
  }

  private static List<Throughput.Minute> minutes(
      Instant from, Instant to, Map<Instant, Map<JobState, Long>> counts) {
    List<Throughput.Minute> list = new ArrayList<>();
    for (Instant m = from.truncatedTo(ChronoUnit.MINUTES);
        !m.isAfter(to);
        m = m.plus(1, ChronoUnit.MINUTES)) {
      Map<JobState, Long> c = counts.getOrDefault(m, Map.of());
      list.add(
          new Throughput.Minute(
              m,
              c.getOrDefault(JobState.COMPLETED, 0L),
              c.getOrDefault(JobState.FAILED, 0L),
              c.getOrDefault(JobState.DISCARDED, 0L),
              c.getOrDefault(JobState.CANCELLED, 0L)));
    }
    return list;
  }

  /** See {@code QueueAdmin.processes}. */
  public List<QueueProcess> processes() {
    return LoopFailures.namingMigrate(sql.schema, "listing the processes", () -> processList());
  }

  private List<QueueProcess> processList() {
    return config
        .db()
        .inTx(
            readOnly("queue processes"),
            tx ->
                tx.query(
                    processesSql,
                    AdminViews::process,
                    sessionName(sql.schema, ""),
                    LockKeys.LEADER,
                    sql.schema));
  }

  private static QueueProcess process(ResultSet rs) throws SQLException {
    int pid = rs.getInt(2);
    boolean alive = !rs.wasNull();
    return new QueueProcess(
        rs.getString(1),
        alive,
        alive ? OptionalInt.of(pid) : OptionalInt.empty(),
        instant(rs, 3),
        rs.getBoolean(4),
        rs.getLong(5),
        instant(rs, 6),
        instant(rs, 7));
  }

  /** See {@code QueueAdmin.schedules}. */
  public List<ScheduleStatus> schedules() {
    return LoopFailures.namingMigrate(sql.schema, "listing the schedules", () -> scheduleList());
  }

  private List<ScheduleStatus> scheduleList() {
    return config
        .db()
        .inTx(
            readOnly("queue schedules"),
            tx ->
                tx.query(
                    schedulesSql,
                    rs -> {
                      String definition = rs.getString(2);
                      Instant handled = rs.getObject(3, OffsetDateTime.class).toInstant();
                      long jobId = rs.getLong(6);
                      OptionalLong job =
                          rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(jobId);
                      String state = rs.getString(7);
                      return new ScheduleStatus(
                          rs.getString(1),
                          definition,
                          handled,
                          rs.getObject(4, OffsetDateTime.class).toInstant(),
                          instant(rs, 5),
                          job,
                          Optional.ofNullable(state).map(JobState::fromSql),
                          ScheduleDefinitions.parse(definition).flatMap(s -> s.nextAfter(handled)));
                    }));
  }

  /** See {@code QueueAdmin.detail}. */
  public Optional<JobDetail> detail(long id, int limit) {
    return LoopFailures.namingMigrate(sql.schema, "reading a job", () -> detailOf(id, limit));
  }

  private Optional<JobDetail> detailOf(long id, int limit) {
    return config
        .db()
        .inTx(
            readOnly("job detail"),
            tx ->
                tx.queryOne(
                    sql.adminDetail,
                    rs ->
                        new JobDetail(
                            Rows.job(rs, json),
                            limit,
                            rs.getLong("args_length"),
                            rs.getLong("result_length"),
                            rs.getLong("longest_error"),
                            rs.getInt("error_count")),
                    limit,
                    JobDetail.ERRORS_SHOWN,
                    id));
  }

  private TxOptions readOnly(String name) {
    return config.txOptions().name(name).readOnly(true);
  }

  private static Optional<Instant> instant(ResultSet rs, int column) throws SQLException {
    return Optional.ofNullable(rs.getObject(column, OffsetDateTime.class))
        .map(OffsetDateTime::toInstant);
  }
}
