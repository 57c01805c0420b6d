package dev.txguard.queue.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.txguard.Database;
import dev.txguard.TxOptions;
import dev.txguard.queue.QueueListener;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code JobQueue.Builder} collected, already validated.
 *
 * @param db the database jobs live in
 * @param schema the queue's schema, a checked identifier
 * @param url JDBC URL of the control connection (LISTEN and leadership), or null for none
 * @param user its user
 * @param password its password
 * @param kinds the registered kinds
 * @param queues the queues this process works, with their concurrency limits
 * @param fetchBatchSize most jobs one claim takes
 * @param prefetch most claimed jobs waiting for a free slot, per queue and level
 * @param pollInterval how often a worker claims without being woken
 * @param leaseDuration how long a claim lasts without heartbeat
 * @param maintenanceInterval how often the leader runs maintenance and others try to lead
 * @param retention how long finished jobs are kept
 * @param backoffInitial first retry delay
 * @param backoffMax longest retry delay
 * @param listener events, never null
 * @param txOptions options of the units jobs run and complete in
 * @param mapper JSON mapper
 * @param clock injected clock, or null for the database's
 * @param owner this process's name in leases
 * @param runLevels how many levels (0 to runLevels-1) this process claims and runs jobs at
 * @param schedules the periodic jobs, enqueued by the maintenance leader
 */
public record QueueConfig(
    Database db,
    String schema,
    String url,
    String user,
    String password,
    Kinds kinds,
    Map<String, Integer> queues,
    int fetchBatchSize,
    int prefetch,
    Duration pollInterval,
    Duration leaseDuration,
    Duration maintenanceInterval,
    Duration retention,
    Duration backoffInitial,
    Duration backoffMax,
    QueueListener listener,
    TxOptions txOptions,
    ObjectMapper mapper,
    Clock clock,
    String owner,
    int runLevels,
    List<Periodic> schedules) {}
