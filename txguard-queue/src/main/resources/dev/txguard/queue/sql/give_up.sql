-- Hands a running attempt back to the queue at once, not counting it as an attempt; or, when
-- cancel was requested for the job, ends it cancelled (it must not run again as if nothing had
-- happened), recording why. Used by graceful shutdown (prefetched attempts, and running ones whose
-- wait ran out) and by a fetcher whose claim lost its connection during COMMIT (see Fetcher): a
-- row that does not carry this attempt token (the claim did not commit, or the job was rescued
-- since) is left untouched.
-- Parameters: now (null: the database's now()), id, attempt token, why the attempt was stopped
-- (the error recorded when the job ends cancelled).
-- Returns the job's queue, its run level, its new state and whether a caller awaits it.
-- "Still running under this attempt" is written as the attempt's token with a lease expiry, which
-- job_lease_check (V1) makes equivalent to state = 'running'; written as state = 'running' it
-- lets the planner scan job_lease_idx whole and join the ids to it by hash: with statistics taken
-- while few jobs ran (as on any queue table) it prices that index at one row, but between VACUUMs
-- it holds an entry for every job claimed since (millions in the sustained benchmark). Matched by
-- id, the primary key is the one index the statement can use.
with v as (select coalesce(?::timestamptz, now()) as now, ?::bigint as id, ?::uuid as token,
                  ?::text as why)
update ${schema}.job j
set state = case when j.cancel_requested then 'cancelled' else 'available' end,
    attempt = case when j.cancel_requested then j.attempt else greatest(j.attempt - 1, 0) end,
    run_at = case when j.cancel_requested then j.run_at else v.now end,
    finalized_at = case when j.cancel_requested then v.now end,
    errors = case when j.cancel_requested then j.errors || jsonb_build_array(jsonb_build_object(
        'attempt', j.attempt, 'at', v.now, 'error', v.why)) else j.errors end,
    lease_owner = null, lease_token = null, lease_expires_at = null
from v
where j.id = v.id and j.lease_token = v.token and j.lease_expires_at is not null
returning j.queue, j.run_level, j.state, j.awaited
