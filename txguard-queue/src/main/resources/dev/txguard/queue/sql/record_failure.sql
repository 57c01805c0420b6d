-- Records a failed attempt, only if it still holds the lease, and decides what comes next:
-- cancelled (cancel was requested while it ran), discarded (non-retryable error), failed (attempts exhausted), or another attempt after the
-- retry delay (available at once when the delay is zero, retryable until then).
-- Parameters: now (null: the database's now()), discard (boolean), retry delay in ms, id, attempt
-- token, error text, error trace.
with clock as (select coalesce(?::timestamptz, now()) as now),
decision as (
  select j.id,
         case when j.cancel_requested then 'cancelled'
              when ?::boolean then 'discarded'
              when j.attempt >= j.max_attempts then 'failed'
              else 'retry' end as outcome,
         clock.now + ?::bigint * interval '1 millisecond' as retry_at,
         clock.now
  from ${schema}.job j, clock
  where j.id = ? and j.lease_token = ?::uuid and j.state = 'running'
)
update ${schema}.job j
set state = case when d.outcome <> 'retry' then d.outcome
                 when d.retry_at <= d.now then 'available'
                 else 'retryable' end,
    run_at = case when d.outcome = 'retry' then d.retry_at else j.run_at end,
    finalized_at = case when d.outcome = 'retry' then null else d.now end,
    errors = j.errors || jsonb_build_array(jsonb_build_object(
        'attempt', j.attempt, 'at', d.now, 'error', ?::text, 'trace', ?::text)),
    lease_owner = null, lease_token = null, lease_expires_at = null
from decision d
where j.id = d.id
returning j.state, j.run_at, j.awaited
