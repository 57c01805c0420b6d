package dev.txguard.queue;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A process working a queue's schema, from {@link QueueAdmin#processes()}: a started {@link
 * JobQueue} (its control connection is open) or an owner of leases on running jobs.
 *
 * <p>A started queue names its control connection's session {@code txguard <schema> <owner>}
 * ({@code application_name}, which PostgreSQL cuts at 63 bytes): an owner longer than about 40
 * characters is shown cut, and then its leases show as a second entry. Sessions are read from
 * {@code pg_stat_activity}, which shows other roles' sessions' names but hides their start time
 * from roles without {@code pg_read_all_stats} (PostgreSQL doc 27.2.3).
 *
 * @param owner the process's name ({@link JobQueue.Builder#owner(String)})
 * @param alive whether its control connection is open now
 * @param pid the server process id of its control connection, when alive
 * @param connectedSince when that connection was opened, when alive and visible to this role
 * @param leader whether it holds the maintenance leader's lock now
 * @param running jobs it runs now (leases it holds)
 * @param firstLeaseExpiry the earliest expiry of those leases
 * @param lastLeaseExpiry the latest expiry of those leases
 */
public record QueueProcess(
    String owner,
    boolean alive,
    OptionalInt pid,
    Optional<Instant> connectedSince,
    boolean leader,
    long running,
    Optional<Instant> firstLeaseExpiry,
    Optional<Instant> lastLeaseExpiry) {}
