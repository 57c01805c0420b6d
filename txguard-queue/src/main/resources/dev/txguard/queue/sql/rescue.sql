-- Maintenance: jobs whose lease expired (their worker died or lost the database) go back to the
-- queue, or fail when their attempts are exhausted (or end cancelled when cancel was requested).
-- Each row is matched on the attempt token it had when selected, so an attempt whose lease was
-- extended or that was completed meanwhile is never overwritten. Returns each job's id, kind,
-- queue, attempt, new state, whether a caller awaits it and its run level (whose fetchers are woken).
-- Parameters: now (null: the database's now()), batch size.
with clock as (select coalesce(?::timestamptz, now()) as now),
expired as (
  select j.id, j.lease_token, j.lease_owner
  from ${schema}.job j
  where j.state = 'running' and j.lease_expires_at < (select now from clock)
  order by j.lease_expires_at
  limit ?
  for update skip locked
)
update ${schema}.job j
set state = case when j.cancel_requested then 'cancelled'
                 when j.attempt >= j.max_attempts then 'failed' else 'available' end,
    run_at = clock.now,
    finalized_at = case when j.cancel_requested or j.attempt >= j.max_attempts then clock.now end,
    errors = j.errors || jsonb_build_array(jsonb_build_object(
        'attempt', j.attempt, 'at', clock.now,
        'error', 'lease of ' || e.lease_owner || ' expired at ' || j.lease_expires_at
                 || ': the worker stopped heartbeating (process died or lost its connection)')),
    lease_owner = null, lease_token = null, lease_expires_at = null
from expired e, clock
where j.id = e.id and j.lease_token = e.lease_token
returning j.id, j.kind, j.queue, j.attempt, j.state, j.awaited, j.run_level
