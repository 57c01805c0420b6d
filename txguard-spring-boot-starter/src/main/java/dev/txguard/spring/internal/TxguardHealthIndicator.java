package dev.txguard.spring.internal;

import dev.txguard.Database;
import dev.txguard.PoolStats;
import dev.txguard.queue.JobQueue;
import dev.txguard.queue.JobState;
import dev.txguard.queue.QueueAdmin;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The actuator's {@code txguard} health: UP when the database answers; details are every open pool
 * level (size, active, idle, waiting), and, with a queue, its schema, whether this process is the
 * maintenance leader, and per queue the job counts by state and the lag (seconds the oldest
 * available job has waited to be claimed). DOWN, with the error, when the queue's overview query
 * fails (the database is unreachable or the schema is missing).
 */
public final class TxguardHealthIndicator extends AbstractHealthIndicator {
  private final Database db;
  private final ObjectProvider<JobQueue> queue;

  public TxguardHealthIndicator(Database db, ObjectProvider<JobQueue> queue) {
    super("txguard health check failed");
    this.db = db;
    this.queue = queue;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    builder.withDetail("pools", pools());
    JobQueue q = queue.getIfAvailable();
    if (q == null) {
      db.useTx(tx -> tx.queryOne("select 1", rs -> rs.getInt(1)));
    } else {
      builder.withDetail("queue", queue(q));
    }
    builder.up();
  }

  private List<Map<String, Object>> pools() {
    List<Map<String, Object>> pools = new ArrayList<>();
    for (PoolStats p : db.poolStats()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("level", p.level());
      m.put("size", p.size());
      m.put("active", p.active());
      m.put("idle", p.idle());
      m.put("waiting", p.waiting());
      pools.add(m);
    }
    return pools;
  }

  private static Map<String, Object> queue(JobQueue q) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("schema", q.schema());
    details.put("leader", q.isLeader());
    Map<String, Object> queues = new LinkedHashMap<>();
    for (QueueAdmin.QueueCounts c : q.admin().overview().queues()) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (JobState s : JobState.values()) {
        m.put(s.name().toLowerCase(java.util.Locale.ROOT), c.count(s));
      }
      m.put("lagSeconds", c.oldestAvailableAge().map(d -> d.toMillis() / 1000.0).orElse(0.0));
      queues.put(c.queue(), m);
    }
    details.put("queues", queues);
    return details;
  }
}
