-- Graceful shutdown: hands a running attempt back to the queue at once, not counting it as an
-- attempt; or, when cancel was requested for the job, ends it cancelled (it must not run again as
-- if nothing had happened), recording why.
-- Parameters: now (null: the database's now()), id, attempt token.
-- Returns the job's queue, its run level, its new state and whether a caller awaits it.
with v as (select coalesce(?::timestamptz, now()) as now, ?::bigint as id, ?::uuid as token)
update ${schema}.job j
set state = case when j.cancel_requested then 'cancelled' else 'available' end,
    attempt = case when j.cancel_requested then j.attempt else greatest(j.attempt - 1, 0) end,
    run_at = case when j.cancel_requested then j.run_at else v.now end,
    finalized_at = case when j.cancel_requested then v.now end,
    errors = case when j.cancel_requested then j.errors || jsonb_build_array(jsonb_build_object(
        'attempt', j.attempt, 'at', v.now,
        'error', 'cancel was requested and the attempt was stopped when ' || j.lease_owner
                 || ' shut down')) else j.errors end,
    lease_owner = null, lease_token = null, lease_expires_at = null
from v
where j.id = v.id and j.lease_token = v.token and j.state = 'running'
returning j.queue, j.run_level, j.state, j.awaited
