package dev.txguard;

/**
 * A snapshot of one level's connection pool, from {@link Database#poolStats()}.
 *
 * @param level the pool's level (0 for the top level)
 * @param size the most connections the pool opens
 * @param active connections lent out now
 * @param idle connections open and free now
 * @param waiting threads waiting for a connection now
 */
public record PoolStats(int level, int size, int active, int idle, int waiting) {}
