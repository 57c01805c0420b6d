/**
 * The machinery of {@code txguard demo}, and the helpers of {@code txguard migrate} and {@code
 * txguard queue} ({@link dev.txguard.cli.internal.QueueTarget}: connecting and the schema check;
 * {@link dev.txguard.cli.internal.TextTable}: tables that never cut identifiers or timestamps;
 * {@link dev.txguard.cli.internal.DurationText}: {@code 30s}, {@code 7d}). Not API: these types may
 * change in any release.
 *
 * <h2>How a story runs</h2>
 *
 * <ol>
 *   <li>{@link dev.txguard.cli.internal.DemoServer} provides a PostgreSQL and a schema of the
 *       demo's own: an embedded server (deleted afterwards) or {@code txguard_demo_<random>} on the
 *       server of {@code --url} (dropped afterwards, also on failure or SIGTERM). Every story
 *       connection carries the schema as {@code currentSchema} and {@code ApplicationName}, so
 *       leftovers can be found. On a {@code jdbc:mariadb:} URL the schema is a database of its own
 *       and the stories use {@link dev.txguard.cli.internal.Stories#mariaDb()} ({@code
 *       MariaDbDemo}).
 *   <li>{@link dev.txguard.cli.internal.StoryRunner} runs the naive variant, then the txguard
 *       variant, each on its own thread under a hard time limit, with the same seed, so both replay
 *       the same scenario.
 *   <li>Each {@link dev.txguard.cli.internal.Story} (re)creates its tables from its {@code .sql}
 *       resource (on MariaDB its {@code .mariadb.sql} form), does the work, and measures by
 *       counting rows (and open transactions) afterwards; the verdict comes from those counts,
 *       never from what the code meant to do. A naive run that happens not to show the fault says
 *       so ("no fault").
 * </ol>
 *
 * <h2>Rules for a story</h2>
 *
 * The naive variant is the faulty pattern itself (plain JDBC on a plain HikariCP pool), not a
 * caricature of it. Every wait is bounded: a deadlock is detected by a timed wait and broken up,
 * never waited out. Every connection is given back, also when the story throws; leaked transactions
 * of a naive run are ended by closing its pool.
 */
package dev.txguard.cli.internal;
