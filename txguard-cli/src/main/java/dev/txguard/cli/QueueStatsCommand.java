package dev.txguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.txguard.cli.internal.DurationText;
import dev.txguard.cli.internal.QueueTarget;
import dev.txguard.cli.internal.TextTable;
import dev.txguard.queue.JobState;
import dev.txguard.queue.QueueAdmin.OverdueAttempt;
import dev.txguard.queue.QueueAdmin.Overview;
import dev.txguard.queue.QueueAdmin.QueueCounts;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;

/**
 * {@code txguard queue stats}: counts per queue and state, waiting times, attempts past half their
 * lease.
 */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description =
        "Counts jobs per queue and state, shows how long each queue's oldest available job has waited,"
            + " and lists running attempts past half their lease (their process is probably stuck or gone).")
final class QueueStatsCommand extends ReportCommand {
  private static final String[] HEADERS = {
    "queue",
    ">sched",
    ">avail",
    ">running",
    ">retry",
    ">done",
    ">failed",
    ">cancel",
    ">discard",
    ">oldest avail"
  };

  QueueStatsCommand(Map<String, String> env) {
    super(env);
  }

  @Override
  int run(QueueTarget target, PrintWriter out, PrintWriter err) {
    Overview o = target.admin().overview();
    if (json) {
      printJson(out, toJson(target.admin().schema(), o));
      return 0;
    }
    out.println("schema " + target.admin().schema() + " at " + shortInstant(o.at()));
    TextTable t = new TextTable(HEADERS);
    for (QueueCounts q : o.queues()) {
      t.row(row(q.queue(), q.counts(), q.oldestAvailableAge()));
    }
    if (o.queues().size() != 1) {
      Map<JobState, Long> totals = new java.util.EnumMap<>(JobState.class);
      o.queues().forEach(q -> q.counts().forEach((s, n) -> totals.merge(s, n, Long::sum)));
      t.row(
          row(
              "(all)",
              totals,
              o.queues().stream()
                  .map(QueueCounts::oldestAvailableAge)
                  .flatMap(Optional::stream)
                  .max(Duration::compareTo)));
    }
    t.lines().forEach(out::println);
    out.println();
    if (o.overdue().isEmpty()) {
      out.println("running past half their lease: none");
      return 0;
    }
    out.println("running past half their lease: " + o.overdue().size());
    TextTable stuck =
        new TextTable(">id", "kind", "queue", "owner", ">attempt", ">extended", ">lease expires");
    for (OverdueAttempt a : o.overdue()) {
      stuck.row(
          a.id(),
          a.kind(),
          a.queue(),
          a.owner(),
          a.attempt(),
          ago(a.leasedAt(), o.at()),
          relative(a.leaseExpiresAt(), o.at()));
    }
    stuck.lines().forEach(out::println);
    return 0;
  }

  private static String ago(java.time.Instant t, java.time.Instant now) {
    return DurationText.format(t.isAfter(now) ? Duration.ZERO : Duration.between(t, now)) + " ago";
  }

  private static Object[] row(String queue, Map<JobState, Long> counts, Optional<Duration> oldest) {
    Object[] cells = new Object[HEADERS.length];
    cells[0] = queue;
    for (JobState s : JobState.values()) {
      cells[1 + s.ordinal()] = counts.getOrDefault(s, 0L);
    }
    cells[HEADERS.length - 1] = oldest.map(DurationText::format).orElse("-");
    return cells;
  }

  static ObjectNode toJson(String schema, Overview o) {
    ObjectNode node = object().put("schema", schema).put("at", o.at().toString());
    ArrayNode queues = node.putArray("queues");
    ObjectNode totals = object();
    for (JobState s : JobState.values()) {
      totals.put(s.sqlName(), o.count(s));
    }
    for (QueueCounts q : o.queues()) {
      ObjectNode qn = queues.addObject().put("queue", q.queue()).put("total", q.total());
      ObjectNode counts = qn.putObject("counts");
      for (JobState s : JobState.values()) {
        counts.put(s.sqlName(), q.count(s));
      }
      if (q.oldestAvailableAge().isPresent()) {
        qn.put("oldestAvailableAgeMillis", q.oldestAvailableAge().get().toMillis());
      } else {
        qn.putNull("oldestAvailableAgeMillis");
      }
    }
    node.set("totals", totals);
    ArrayNode overdue = node.putArray("overdue");
    for (OverdueAttempt a : o.overdue()) {
      overdue
          .addObject()
          .put("id", a.id())
          .put("kind", a.kind())
          .put("queue", a.queue())
          .put("owner", a.owner())
          .put("attempt", a.attempt())
          .put("attemptedAt", a.attemptedAt().toString())
          .put("leasedAt", a.leasedAt().toString())
          .put("leaseExpiresAt", a.leaseExpiresAt().toString());
    }
    return node;
  }
}
