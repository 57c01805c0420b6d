package dev.txguard.queue.internal;

import dev.txguard.queue.Job;
import dev.txguard.queue.JobState;
import dev.txguard.queue.QueueStats;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** {@code JobQueue.find} and {@code JobQueue.stats}: short read-only units. Thread-safe. */
final class Reads {
  private final QueueConfig config;
  private final Sql sql;
  private final JsonCodec json;

  Reads(QueueConfig config, Sql sql, JsonCodec json) {
    this.config = config;
    this.sql = sql;
    this.json = json;
  }

  Optional<Job> find(long id) {
    return config
        .db()
        .inTx(
            config.txOptions().name("find job").readOnly(true),
            tx -> tx.queryOne(sql.find, rs -> Rows.job(rs, json), id));
  }

  QueueStats stats() {
    Map<String, Map<JobState, Long>> counts = new HashMap<>();
    config
        .db()
        .useTx(
            config.txOptions().name("queue stats").readOnly(true),
            tx -> {
              counts.clear(); // a retried unit starts over
              tx.query(
                  sql.stats,
                  rs ->
                      counts
                          .computeIfAbsent(
                              rs.getString("queue"), q -> new EnumMap<>(JobState.class))
                          .put(Rows.state(rs), rs.getLong("count")));
            });
    Map<String, Map<JobState, Long>> frozen = new HashMap<>();
    counts.forEach((q, m) -> frozen.put(q, Map.copyOf(m)));
    return new QueueStats(frozen);
  }
}
