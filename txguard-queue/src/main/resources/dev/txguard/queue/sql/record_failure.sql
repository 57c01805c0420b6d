-- Records a failed attempt, only if it still holds the lease, and decides what comes next:
-- cancelled (cancel was requested while it ran), discarded (non-retryable error), failed (attempts
-- exhausted), or another attempt after the retry delay (available at once when the delay is zero,
-- retryable until then).
-- One UPDATE whose WHERE checks the lease and whose SET decides from the row itself: when a
-- concurrent statement (cancel, rescue, give-up) changed the row after this statement's snapshot,
-- READ COMMITTED re-checks the WHERE and computes the SET on the row's newest version, so a cancel
-- committed meanwhile is honoured and a lease lost meanwhile matches nothing.
-- Parameters: now (null: the database's now()), discard (boolean), retry delay in ms, id, attempt
-- token, error text, error trace.
-- "Still running under this attempt" is written as the attempt's token with a lease expiry, which
-- job_lease_check (V1) makes equivalent to state = 'running'; written as state = 'running' it
-- lets the planner scan job_lease_idx whole and join the ids to it by hash: with statistics taken
-- while few jobs ran (as on any queue table) it prices that index at one row, but between VACUUMs
-- it holds an entry for every job claimed since (millions in the sustained benchmark). Matched by
-- id, the primary key is the one index the statement can use.
with v as (
  select coalesce(?::timestamptz, now()) as now, ?::boolean as discard,
         ?::bigint * interval '1 millisecond' as delay, ?::bigint as id, ?::uuid as token,
         ?::text as error, ?::text as trace
)
update ${schema}.job j
set state = case when j.cancel_requested then 'cancelled'
                 when v.discard then 'discarded'
                 when j.attempt >= j.max_attempts then 'failed'
                 when v.delay <= interval '0' then 'available'
                 else 'retryable' end,
    run_at = case when j.cancel_requested or v.discard or j.attempt >= j.max_attempts then j.run_at
                  else v.now + v.delay end,
    finalized_at = case when j.cancel_requested or v.discard or j.attempt >= j.max_attempts then v.now end,
    errors = j.errors || jsonb_build_array(jsonb_build_object(
        'attempt', j.attempt, 'at', v.now, 'error', v.error, 'trace', v.trace)),
    lease_owner = null, lease_token = null, lease_expires_at = null
from v
where j.id = v.id and j.lease_token = v.token and j.lease_expires_at is not null
returning j.state, j.run_at, j.awaited
