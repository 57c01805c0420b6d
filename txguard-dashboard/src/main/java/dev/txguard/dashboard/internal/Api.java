package dev.txguard.dashboard.internal;

import dev.txguard.queue.CancelResult;
import dev.txguard.queue.JobDetail;
import dev.txguard.queue.JobFilter;
import dev.txguard.queue.JobState;
import dev.txguard.queue.QueueAdmin;
import dev.txguard.queue.QueueAdmin.Change;
import dev.txguard.queue.Throughput;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON API's handlers, each one {@link QueueAdmin} call. Query parameters are parsed into typed
 * values ({@link JobFilter}, ids, durations); nothing a request holds becomes SQL text.
 */
final class Api {
  static final Logger LOG = LoggerFactory.getLogger("dev.txguard.dashboard");

  /**
   * The most characters of a job's arguments, result, error message or trace the detail view sends.
   */
  static final int DETAIL_LIMIT = 64 * 1024;

  private static final Duration MAX_GROUP_WAIT = Duration.ofSeconds(60);
  private final Settings settings;
  private final QueueAdmin admin;
  private final Guard guard;

  Api(Settings settings, Guard guard) {
    this.settings = settings;
    this.admin = settings.admin();
    this.guard = guard;
  }

  void session(Context ctx) {
    String user = ctx.attribute(Guard.USER);
    Json.send(
        ctx,
        Map.of(
            "user",
            user,
            "csrf",
            guard.csrfToken(user),
            "readOnly",
            settings.readOnly(),
            "refreshMs",
            settings.refresh().toMillis(),
            "schema",
            admin.schema()));
  }

  void overview(Context ctx) {
    Json.send(ctx, admin.overview());
  }

  void throughput(Context ctx) {
    Throughput t = admin.throughput(Duration.ofHours(1));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("from", t.from());
    body.put("to", t.to());
    body.put("failureRate", t.failureRate());
    body.put("minutes", t.minutes());
    Json.send(ctx, body);
  }

  void processes(Context ctx) {
    Json.send(ctx, admin.processes());
  }

  void schedules(Context ctx) {
    Json.send(ctx, admin.schedules());
  }

  void jobs(Context ctx) {
    Json.send(ctx, admin.list(filter(ctx)));
  }

  void job(Context ctx) {
    Optional<JobDetail> detail = admin.detail(id(ctx), DETAIL_LIMIT);
    if (detail.isEmpty()) {
      ctx.status(404);
      Json.send(ctx, Map.of("error", "no job " + id(ctx)));
      return;
    }
    JobDetail d = detail.get();
    @SuppressWarnings("unchecked")
    Map<String, Object> body = Json.mapper().convertValue(d.job(), LinkedHashMap.class);
    body.put("limit", d.limit());
    body.put("argsLength", d.argsLength());
    body.put("resultLength", d.resultLength());
    body.put("argsCut", d.argsCut());
    body.put("resultCut", d.resultCut());
    body.put("errorsCut", d.errorsCut());
    body.put("errorCount", d.errorCount());
    body.put("errorsLeftOut", d.errorsLeftOut());
    Json.send(ctx, body);
  }

  void retry(Context ctx) {
    long id = id(ctx);
    Change change = admin.retry(List.of(id)).get(0);
    audit(ctx, change.changed() ? "retried" : "asked to retry (nothing changed)", change);
    sendChange(ctx, change);
  }

  void cancel(Context ctx) {
    long id = id(ctx);
    Change change = admin.cancel(List.of(id)).get(0);
    audit(ctx, change.changed() ? "cancelled" : "asked to cancel (nothing changed)", change);
    sendChange(ctx, change);
  }

  /**
   * One audit line per action: who, from where, and whether the database changed (a retry of a job
   * that is not failed, or a cancel of a finished one, changes nothing and must not read as done).
   */
  private static void audit(Context ctx, String what, Change change) {
    LOG.info(
        "dashboard: {} from {} {} job {}: {}",
        ctx.attribute(Guard.USER),
        ctx.ip(),
        what,
        change.id(),
        change);
  }

  /** The change, or 404 naming the id when there is no such job (an empty state). */
  private static void sendChange(Context ctx, Change change) {
    if (change.state().isEmpty()) {
      ctx.status(404);
      Json.send(ctx, Map.of("error", "no job " + change.id()));
      return;
    }
    Json.send(ctx, change);
  }

  void cancelGroup(Context ctx) {
    String group = ctx.queryParam("group");
    Duration wait = Duration.ofSeconds(number(ctx, "waitSeconds", 10));
    if (wait.isNegative() || wait.compareTo(MAX_GROUP_WAIT) > 0) {
      throw new IllegalArgumentException(
          "waitSeconds must be between 0 and "
              + MAX_GROUP_WAIT.toSeconds()
              + ", was "
              + wait.toSeconds());
    }
    CancelResult result = admin.cancelGroup(group, wait);
    LOG.info(
        "dashboard: {} from {} cancelled group '{}' (waited up to {}): {}",
        ctx.attribute(Guard.USER),
        ctx.ip(),
        group,
        wait,
        result);
    Json.send(ctx, result);
  }

  private static JobFilter filter(Context ctx) {
    long limit = number(ctx, "limit", 50);
    if (limit < 1
        || limit > JobFilter.MAX_LIMIT) { // checked as a long: a cast would wrap 2^32 + 1 to 1
      throw new IllegalArgumentException(
          "limit must be between 1 and " + JobFilter.MAX_LIMIT + ", was " + limit);
    }
    JobFilter f = JobFilter.all().limit((int) limit);
    String states = ctx.queryParam("state");
    if (states != null && !states.isBlank()) {
      f = f.states(Arrays.stream(states.split(",")).map(Api::state).toArray(JobState[]::new));
    }
    String queue = ctx.queryParam("queue");
    if (queue != null && !queue.isBlank()) {
      f = f.queues(queue.strip());
    }
    String kind = ctx.queryParam("kind");
    if (kind != null && !kind.isBlank()) {
      f = f.kinds(kind.strip());
    }
    String group = ctx.queryParam("group");
    if (group != null && !group.isBlank()) {
      f = f.group(group.strip());
    }
    String before = ctx.queryParam("before");
    return before == null || before.isBlank() ? f : f.before(number(ctx, "before", 0));
  }

  private static JobState state(String name) {
    try {
      return JobState.valueOf(name.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "state must be one of " + Arrays.toString(JobState.values()) + ", was '" + name + "'", e);
    }
  }

  private static long id(Context ctx) {
    String text = ctx.pathParam("id");
    try {
      long id = Long.parseLong(text);
      if (id < 1) {
        throw new NumberFormatException();
      }
      return id;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "a job id is a positive whole number, was '" + text + "'", e);
    }
  }

  private static long number(Context ctx, String name, long fallback) {
    String text = ctx.queryParam(name);
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, was '" + text + "'", e);
    }
  }
}
