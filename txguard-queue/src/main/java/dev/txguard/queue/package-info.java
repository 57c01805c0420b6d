/**
 * txguard-queue: a PostgreSQL job queue whose jobs are enqueued inside the caller's unit of work and,
 * for transactional handlers, completed inside the unit that holds the job's own writes. The entry
 * point is {@link dev.txguard.queue.JobQueue}.
 *
 * <h2>Job states</h2>
 * <pre>
 *   enqueue ──► SCHEDULED ──(run-at reached: promotion)──► AVAILABLE ◄─────────────┐
 *   enqueue ─────────────────────────────────────────────► AVAILABLE              │
 *   AVAILABLE ──(claim: attempt+1, new lease)──► RUNNING                            │
 *   RUNNING ──(handler returned; completion matches the token)──► COMPLETED        │
 *   RUNNING ──(handler threw, attempts left)──► RETRYABLE ──(backoff over)─────────┤
 *   RUNNING ──(handler threw, no delay)─────────────────────────────────────────────┤
 *   RUNNING ──(lease expired: rescue, attempts left)────────────────────────────────┤
 *   RUNNING ──(graceful stop gave the lease up; attempt not counted)────────────────┘
 *   RUNNING ──(handler threw, last attempt / lease expired on the last attempt)──► FAILED
 *   RUNNING ──(handler threw NonRetryableJobException)──► DISCARDED
 *   any unfinished state ──(cancel, reserved)──► CANCELLED
 * </pre>
 * COMPLETED, FAILED, CANCELLED and DISCARDED are final: no statement moves a job out of them, and
 * maintenance deletes them after the retention period. Every failed attempt, and every expired
 * lease, appends an entry to the job's {@code errors}.
 *
 * <h2>Leases and attempt tokens</h2>
 * <ul>
 *   <li>The claim is one {@code UPDATE ... FROM (SELECT ... FOR UPDATE SKIP LOCKED)} statement:
 *       concurrent workers take different jobs and never wait for each other. It gives each claimed
 *       job a lease: the owner (process), a fresh random attempt token and an expiry.
 *   <li>While the attempt runs, a heartbeat extends the expiry every third of the lease duration.
 *   <li>Completion, failure recording, heartbeat and giving up all match on
 *       {@code (id, attempt token, state = running)}. Once the job was rescued — even if it was
 *       claimed again, by this or another process — the old token matches nothing: a stale worker
 *       can never complete, fail, extend or give up an attempt that is not its own. A transactional
 *       handler's completion runs in the handler's unit, so a refused completion
 *       ({@link dev.txguard.queue.LeaseLostException}) rolls the handler's writes back too.
 *   <li>Rescue selects expired leases with {@code FOR UPDATE SKIP LOCKED} and updates each row only
 *       if it still has the token it was selected with, so it never overwrites an attempt that was
 *       completed or extended meanwhile. No job stays {@code running} past its lease plus one
 *       maintenance interval.
 *   <li>A database constraint holds the invariant: a job is {@code running} exactly when it has a
 *       lease, and finalized exactly when it is in a final state.
 * </ul>
 *
 * <h2>Delivery</h2>
 * Transactional handlers run exactly once as far as the database can tell: the writes of attempts
 * that did not complete are rolled back. Plain handlers run at least once: an attempt whose process
 * dies after the side effect but before completion runs again after the lease expires.
 *
 * <h2>Wake-ups and maintenance</h2>
 * Enqueue issues {@code pg_notify} in the caller's unit, which PostgreSQL delivers at commit; each
 * process LISTENs on one dedicated connection and wakes the fetcher of the notified queue, and polls
 * as a fallback. Maintenance (rescue, promotion of due scheduled and retryable jobs, deletion of old
 * finished jobs) runs on the one process holding a session advisory lock on its dedicated
 * connection; when that process or connection dies, PostgreSQL releases the lock and another
 * process takes over at its next try.
 */
package dev.txguard.queue;
