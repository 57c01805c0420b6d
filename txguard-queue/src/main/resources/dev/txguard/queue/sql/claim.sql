-- Claims up to LIMIT available jobs of one queue in ONE statement: the rows are locked with SKIP
-- LOCKED (concurrent claimers take different jobs, nobody waits), moved to running, given a new
-- attempt number and a lease (owner, fresh attempt token, expiry).
-- Parameters: now (null: the database's now()), queue, the claim cursor (priority, run_at, id:
-- only jobs after it in the claim order; priority -1 for all), kinds (text[]), run level, lease
-- owner, lease duration in milliseconds. The LIMIT is not a parameter: Sql.claim(limit) writes it
-- into the text as a constant, one statement per limit. With LIMIT as a parameter the
-- plan cache never used its generic plan (it prices an unknown LIMIT at a tenth of the table, far
-- above any custom plan) and planned every claim anew, which cost about a third of the claim's
-- server time; with a constant LIMIT the prepared claim is planned generically from its sixth
-- execution on ("PREPARE", Notes: plan_cache_mode and the choice between custom and generic plans).
-- The queue and the cursor are scalar sub-selects, not bare parameters, for the same reason: a
-- custom plan estimates the row comparison by its first column alone, and with the statistics of
-- a queue whose jobs share one priority it finds no row after the cursor's priority and prices the
-- claim at one row, below the generic plan, so the plan cache planned every claim again. A
-- sub-select's value is unknown to every plan (an InitPlan, computed once per execution), so custom
-- and generic plans are estimated alike and the generic one, which costs no planning, is kept; the
-- comparison stays an index condition (ClaimPlanIT checks both). created_at is returned as microseconds since the
-- epoch (cheaper to read than a timestamptz, per claimed job). Returns cancel_requested too: a job
-- whose cancel was requested while an earlier attempt ran is not expected here (every way out of
-- running honours it), but if one ever is, the attempt ends cancelled before its handler runs.
-- Its commit is asynchronous (PostgreSQL documentation, "Asynchronous Commit"), set here, not by a
-- SET LOCAL round trip: clock calls set_config(.., .., true), which acts as SET LOCAL ("Configuration
-- Settings Functions"), and a transaction commits with the synchronous_commit in effect when it
-- commits. clock must stay referenced: a SELECT in WITH runs only as far as the statement reads it
-- ("WITH Queries"); its volatile call keeps it from being inlined, so it runs once, and every
-- claimed row is joined with it. A claim lost in a server crash leaves its jobs available, as if
-- never claimed (at-least-once allows their attempts to run again); every later durable commit
-- (a completion, a transactional handler's unit) flushes the claim's WAL with its own.
-- Each row also returns the claiming backend's pid and the claim's transaction id, for a claim
-- whose COMMIT loses its connection (see LostClaims and claim_lost_end.sql), and its run_at as
-- microseconds (null when infinite), for the next claim's cursor. The attempt token is returned as
-- text, the form every later statement binds it in (see Attempt.token): as a uuid, the driver would
-- build a java.util.UUID per row only to write it back to text.
-- The cursor (see ClaimCursor) starts the index scan after the jobs this fetcher claimed last: the
-- claim index keeps an entry for every claimed job's old row version until VACUUM removes it, and
-- a scan from the head walks all of them (hundreds of pages between autovacuum runs at thousands of
-- jobs a second). The row comparison is an index condition of job_claim_idx ("Row Constructor
-- Comparison", and the btree's ordering of its columns). The cursor's run_at is bound as a
-- timestamp, not built here from microseconds: bigint * interval goes through float8, which rounds
-- beyond 2^53 microseconds from the epoch (before 1685 or after 2255).
with clock as (
  select coalesce(?::timestamptz, now()) as now,
         set_config('synchronous_commit', 'off', true) as commit_mode
),
picked as (
  select j.id
  from ${schema}.job j
  where j.state = 'available' and j.queue = (select ?::text)
    and (j.priority, j.run_at, j.id) > ((select ?::smallint), (select ?::timestamptz), (select ?::bigint))
    and j.run_at <= (select now from clock)
    and j.kind = any (?::text[]) and j.run_level = ?
  order by j.priority, j.run_at, j.id
  limit ${limit}
  for update skip locked
)
update ${schema}.job j
set state = 'running',
    attempt = j.attempt + 1,
    attempted_at = clock.now,
    leased_at = clock.now,
    lease_owner = ?,
    lease_token = gen_random_uuid(),
    lease_expires_at = clock.now + ?::bigint * interval '1 millisecond'
from picked, clock
where j.id = picked.id
returning j.id, j.kind, j.queue, j.args::text, j.priority, j.attempt, j.max_attempts,
          (extract(epoch from j.created_at) * 1000000)::bigint as created_at_us,
          j.lease_token::text as lease_token, j.unique_key, j.job_group, j.awaited,
          j.cancel_requested,
          pg_backend_pid() as backend_pid, pg_current_xact_id()::text as xact,
          case when isfinite(j.run_at) then (extract(epoch from j.run_at) * 1000000)::bigint end
            as run_at_us
