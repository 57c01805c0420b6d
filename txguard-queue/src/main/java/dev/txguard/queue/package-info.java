/**
 * txguard-queue: a PostgreSQL job queue whose jobs are enqueued inside the caller's unit of work
 * and, for transactional handlers, completed inside the unit that holds the job's own writes. The
 * entry point is {@link dev.txguard.queue.JobQueue}.
 *
 * <h2>Job states</h2>
 *
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
 *   RUNNING ──(handler threw NonRetryableJobException, or its result cannot be stored)──► DISCARDED
 *   SCHEDULED / AVAILABLE / RETRYABLE ──(cancel, cancelGroup)──► CANCELLED
 *   RUNNING ──(cancel requested, then the handler throws / the lease expires /
 *              graceful stop ends the attempt)──► CANCELLED
 *   FAILED / DISCARDED ──(operator: QueueAdmin.retry, one more attempt allowed)──► AVAILABLE
 * </pre>
 *
 * COMPLETED, FAILED, CANCELLED and DISCARDED are final: no statement of the queue's own moves a job
 * out of them (only an operator's retry puts a failed or discarded job back), and maintenance
 * deletes them after the retention period. Every failed attempt, and every expired lease, appends
 * an entry to the job's {@code errors}.
 *
 * <h2>Leases and attempt tokens</h2>
 *
 * <ul>
 *   <li>The claim is one {@code UPDATE ... FROM (SELECT ... FOR UPDATE SKIP LOCKED)} statement:
 *       concurrent workers take different jobs and never wait for each other. It gives each claimed
 *       job a lease: the owner (process), a fresh random attempt token and an expiry. Its commit is
 *       asynchronous ({@code synchronous_commit = off}, set by the statement itself; PostgreSQL
 *       documentation "Asynchronous Commit"): a claim lost in a server crash leaves its jobs
 *       available, which at-least-once delivery allows, and any later durable commit flushes it. A
 *       claim is three round trips: planner settings for its transaction (plan_lookups.sql: its
 *       cached plan looks jobs up by key however small the table was when it was made), the
 *       statement, then COMMIT. It runs without core's commit-outcome resolution, and a claim whose
 *       COMMIT loses its connection hands its jobs back at once by attempt token (uncounted if it
 *       had committed, untouched if not); only if that fails too are they rescued when their leases
 *       expire, counting an attempt. A worker may claim ahead of its free slots ({@link
 *       dev.txguard.queue.JobQueue.Builder#prefetch}, off by default; at most what its handlers
 *       finish in about 10 ms by their mean measured duration): a prefetched attempt is leased like
 *       a running one, starts when a slot frees, ends cancelled at once without running its handler
 *       when its cancel is requested, and is given back uncounted at stop.
 *   <li>While the attempt runs (or waits prefetched), a heartbeat extends the expiry every third of
 *       the lease duration.
 *   <li>Completion, failure recording, heartbeat and giving up all match on {@code (id, attempt
 *       token, state = running)}. Once the job was rescued — even if it was claimed again, by this
 *       or another process — the old token matches nothing: a stale worker can never complete,
 *       fail, extend or give up an attempt that is not its own. A transactional handler's
 *       completion runs in the handler's unit, so a refused completion ({@link
 *       dev.txguard.queue.LeaseLostException}) rolls the handler's writes back too. Plain handlers'
 *       completions are batched: the completions of one run level that arrive while a batch commits
 *       go together in the next one (one {@code UPDATE ... FROM unnest(ids, tokens, results)} and
 *       one commit, no added wait), each matched on its own token, so one attempt that lost its
 *       lease is refused alone while the others complete. Each attempt waits for its own batch to
 *       commit before anything that follows its completion (its group lock's release, waking
 *       callers); a batch PostgreSQL refuses as a whole is redone one completion per unit.
 *   <li>Every statement that decides from a job's row decides in one {@code UPDATE}, from the row
 *       itself, with the lease checked in its {@code WHERE}: when a concurrent statement changed
 *       the row after the statement's snapshot, PostgreSQL (READ COMMITTED) re-checks the {@code
 *       WHERE} and computes the {@code SET} on the row's newest version. So a cancel committed
 *       while a failure is being recorded is honoured, a lease lost meanwhile matches nothing, and
 *       cancel catches a job in whichever unfinished state it is in by then.
 *   <li>Rescue selects expired leases with {@code FOR UPDATE SKIP LOCKED} and updates each row only
 *       if it still has the token it was selected with, so it never overwrites an attempt that was
 *       completed or extended meanwhile. While a leader's maintenance runs, no job stays {@code
 *       running} much longer than its lease plus one maintenance interval. A leader whose process
 *       stopped without ending its session (frozen, suspended) is deposed by the next process that
 *       tries to lead once its session has been silent for longer than a lease: that process ends
 *       the session ({@code pg_terminate_backend}; same role only) and leads.
 *   <li>A database constraint holds the invariant: a job is {@code running} exactly when it has a
 *       lease, and finalized exactly when it is in a final state.
 * </ul>
 *
 * <h2>Delivery</h2>
 *
 * Transactional handlers run exactly once as far as the database can tell: the writes of attempts
 * that did not complete are rolled back. Plain handlers run at least once: an attempt whose process
 * dies after the side effect but before completion runs again after the lease expires. A handler
 * that ran to its end but returned a result that cannot be stored (Jackson cannot write it, or
 * jsonb refuses it) is not run again: its job ends discarded with the reason.
 *
 * <h2>Call-and-wait and levels</h2>
 *
 * {@code call(args, timeout)} enqueues in a unit of its own that commits at once, one level above
 * the caller's unit ({@code db.inNewTx}), and marks the job {@code awaited} with {@code run_level =
 * db.context().level()}: L+1 for a caller inside a unit at level L, the caller's own level outside
 * a unit. Each process runs one fetcher per queue and level ({@code Builder.runLevels}, default 2);
 * a level-L fetcher claims only jobs of run level L, and its claims and the attempts' units use
 * level L's pool (the worker threads are placed there with {@code db.isolated}). So a caller that
 * holds its level-0 connection while it waits never competes with its job for a connection: with
 * one connection per level, level 0 is held by one waiting caller, and the job is claimed, run and
 * completed through level 1. The naive design (the job on the caller's pool) deadlocks until the
 * call times out; CallIT shows both. Heartbeats, maintenance (rescue, promotion) and give-ups run
 * at the housekeeping level, one above the highest run level when the database has it (else the
 * highest run level): neither waiting callers nor running attempts can exhaust it, so leases are
 * extended, and a caller's scheduled or retryable job promoted, even while every run-level
 * connection is held. A call whose unique key matches an unfinished job waits for that job: it is
 * marked awaited and, unless running, moved up to the caller's run level. Waiting holds no
 * connection: each waiter sleeps on an in-process signal of its own (two calls awaiting one job are
 * both woken by its end) raised when the job ends in this process, or when the control connection
 * hears {@code NOTIFY <schema>_done, id} (sent in the unit that ends an awaited job: completion,
 * final failure, rescue, cancel, give-up of a cancel-requested attempt), and reads the row in a
 * short unit one level up every poll interval as a fallback.
 *
 * <h2>Cancellation</h2>
 *
 * Cancel marks jobs that have not started cancelled, and sets {@code cancel_requested} on running
 * ones (seen at once by this process's attempts, by other processes' when the cancel's NOTIFY on
 * {@code <schema>_cancel} reaches them, or at their next heartbeat if it was missed); a handler
 * reads it through {@code JobContext.isCancelRequested()}, and a failure, a lease expiry or a
 * give-up at graceful stop of such an attempt ends the job cancelled instead of retrying it. One
 * {@code UPDATE} over all unfinished states does both (cancel, flag), so a job moving from running
 * to retryable or available meanwhile cannot escape it. Each attempt of a grouped job (plain or
 * transactional) holds the group's advisory lock shared, session-scoped, on a connection of its own
 * outside the pools and outside any transaction, from before its handler starts until its
 * completion committed or its failure is about to be recorded: nothing but the attempt's end
 * releases it (no unit timeout, no {@code idle_in_transaction_session_timeout}, no leak report, and
 * that session has no idle or statement timeout), and a plain handler stays outside any
 * transaction. It checks {@code cancel_requested} after taking the lock. {@code cancelGroup}
 * commits its marks first, then takes the lock exclusively on a connection of its own under {@code
 * lock_timeout = wait}, then waits (within {@code wait}) until no job of the group is recorded
 * running: it returns once every attempt that was running has ended (or the wait ran out, reported
 * as still running), and an attempt claimed meanwhile finds the flag after the lock and never runs
 * its handler. A session the server drops takes its lock with it; the wait for the rows still
 * covers that attempt.
 *
 * <h2>Wake-ups and maintenance</h2>
 *
 * Enqueue sends no NOTIFY in the caller's unit: PostgreSQL serialises the commits of all notifying
 * transactions of the cluster (one lock held from pre-commit through the commit record's flush), so
 * a {@code pg_notify} there would throttle the users' own transactions. Instead an after-commit
 * action of the caller's unit wakes this process's fetcher of the job's queue and run level at once
 * and hands the pair to a background announcer, which sends one {@code NOTIFY <schema>_jobs,
 * '<queue>@<level>#<sender>'} per queue and level for everything enqueued since its previous NOTIFY
 * (at most one per 5 ms), in one short unit of its own that commits asynchronously (it writes
 * nothing but the notifications): one statement, which also sets that commit mode, and COMMIT, in
 * two round trips. The announcer sends nothing while no other process listens: it asks the server,
 * at most once a second, whether a session of this database is named as another process's control
 * connection of the schema ({@code txguard <schema> <owner>}, set before that connection LISTENs);
 * a process that starts listening meanwhile claims what is available when it connects and finds the
 * rest at its next poll or at the next announcement. A unit that rolls back wakes nobody. Each
 * process LISTENs on one dedicated connection; a notification wakes the one fetcher of the named
 * queue and level, and a process ignores the announcements it sent itself (its fetcher was woken
 * already). Maintenance (promotion, rescue), give-ups at shutdown and operators' retries notify
 * inside their own units, without a sender, so they wake that fetcher in every process, their own
 * included; a payload without a level (an older version's) wakes every level of the queue. Fetchers
 * also poll as a fallback (for instance when an announcement could not be sent): every poll
 * interval after a wake-up or a claim that found jobs, doubling while claims find nothing up to 16
 * intervals. An idle process thus sends about one statement every few seconds (its fetchers' polls,
 * the leader's idle round and its session check, or a non-leader's election try), not several a
 * second. Maintenance (the periodic jobs' due instants, rescue, promotion of due scheduled and
 * retryable jobs, deletion of old finished jobs) runs on the one process holding a session advisory
 * lock on its dedicated connection; when that process or connection dies, PostgreSQL releases the
 * lock and another process takes over at its next try. A process whose maintenance loop ends
 * unexpectedly gives leadership up. The leader's rounds run every maintenance interval while they
 * find work or notifications of new jobs arrive; idle, the wait doubles up to 8 intervals (at most
 * a lease plus one interval), shortened to the earliest run-at of a scheduled or retryable job and
 * the earliest lease expiry the last round saw, and a job made scheduled or retryable in the
 * leader's own process wakes it; so only such a job of another process, made while the leader
 * idles, is promoted later than one interval after its run-at (at most 8). Election tries and the
 * leader's session check run every 4 intervals. The background loops (fetchers, heartbeat,
 * maintenance, the control connection) survive any throwable, including an {@link java.lang.Error}
 * thrown by a listener; one that keeps failing logs each kind of failure (type and SQLSTATE) once
 * until it works again, and backs off (doubling from its period up to 30 s; the heartbeat keeps its
 * period, a third of the lease). {@code start()} refuses a schema that lacks migrations, naming
 * {@code migrate()} and {@code txguard migrate}.
 *
 * <h2>Failures of handlers</h2>
 *
 * Whatever a handler throws is recorded at once with its own description and first frames (bounded
 * in length), and the attempt is retried or ends as its attempts and the error decide: also a
 * {@link java.lang.StackOverflowError} or a thrown {@link java.lang.OutOfMemoryError}, which the
 * worker survives. Only when recording itself fails is the job left to the rescue of its expired
 * lease. A completion commits through a txguard unit (the handler's own, or a batch's unit for a
 * plain handler), so what the core knows of a lost COMMIT applies to it.
 *
 * <h2>Periodic jobs</h2>
 *
 * {@code Builder.schedule(name, Schedule, ...)} declares a cron or interval schedule; the
 * maintenance leader enqueues its due instants (cron-utils computes them, in the schedule's time
 * zone). Exactly once per instant, across processes and restarts, rests on two tables of migration
 * 3, not on leader timing:
 *
 * <ul>
 *   <li>{@code schedule} holds each schedule's cursor ({@code last_at}, the latest instant
 *       handled). A round locks the row ({@code SELECT ... FOR UPDATE}), so two processes that both
 *       believe they lead (a zombie leader overlapping its successor) take turns, and the second
 *       starts from the cursor the first committed. A new schedule's cursor starts at "now": it
 *       never fires for the past.
 *   <li>{@code schedule_run} has the primary key (schedule, instant): an instant is claimed there
 *       ({@code INSERT ... ON CONFLICT DO NOTHING}) and its job enqueued in the same unit only when
 *       the claim succeeded; the cursor moves in that unit too. So the job of an instant exists
 *       once when the unit commits and not at all when it rolls back (the next round retries). Rows
 *       are deleted after the retention period; the cursor, which never moves back, covers the
 *       instants they protected.
 * </ul>
 *
 * Instants found due up to the schedule's grace late (default one minute) are all enqueued, in
 * order; instants older than that were missed (no process led): {@link
 * dev.txguard.queue.MissedRuns} decides whether the latest of them runs once, late, or none does. A
 * leader killed mid-schedule thus loses nothing: its successor (elected within 4 maintenance
 * intervals once the dead session's lock is released) enqueues the instants since the cursor. Each
 * instant's job has run-at = the instant. The maintenance loop waits less than its interval when a
 * schedule's next instant comes sooner.
 *
 * <h2>Operators</h2>
 *
 * {@link dev.txguard.queue.QueueAdmin} (from {@code JobQueue.admin()}, the layer under {@code
 * txguard migrate} and {@code txguard queue}) reads counts, listings and single jobs, and retries,
 * cancels and prunes, each in short units of its own. Claim and heartbeat record {@code leased_at}
 * (migration 3), so an attempt past half its lease — not extended although heartbeats run every
 * third of it — is visible without knowing the lease duration its process was configured with.
 *
 * <h2>Groups</h2>
 *
 * The {@code job_group} column (commented "reserved" in the V1 migration, whose text is left as
 * shipped so that Flyway/Liquibase checksums stay valid) holds {@code EnqueueOptions.group}, used
 * by {@code cancelGroup}.
 */
package dev.txguard.queue;
