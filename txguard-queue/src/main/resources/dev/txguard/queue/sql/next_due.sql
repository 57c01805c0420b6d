-- Maintenance: how long until the leader has something to do without being told: the earliest
-- run-at of a scheduled or retryable job (promotion) and the earliest lease expiry of a running
-- job (rescue), whichever comes first, in milliseconds from now (negative when already due; null
-- when no job waits for either). Two index-only minimums (job_pending_idx, job_lease_idx), so an
-- idle leader can sleep until then instead of polling every maintenance interval.
-- Parameter: now (null: the database's now()).
with clock as (select coalesce(?::timestamptz, now()) as now)
select (extract(epoch from (least(
          (select min(j.run_at) from ${schema}.job j where j.state in ('scheduled', 'retryable')),
          (select min(j.lease_expires_at) from ${schema}.job j where j.state = 'running'))
        - clock.now)) * 1000)::bigint as due_in_ms
from clock
