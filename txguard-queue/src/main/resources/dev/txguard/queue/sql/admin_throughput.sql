-- Operators: jobs that reached a final state, per minute and state, over a window ending now.
-- Uses job_finalized_idx (finalized_at is set exactly when a job is final). Parameters: now (null:
-- the database's now()), window in ms. Returns the minute (truncated, in the database's time), the
-- state and the count; minutes without jobs are absent.
with v as (select coalesce(?::timestamptz, now()) as now, ?::bigint as window_ms)
select date_trunc('minute', j.finalized_at), j.state, count(*)
from ${schema}.job j, v
where j.finalized_at > v.now - v.window_ms * interval '1 millisecond'
  and j.finalized_at <= v.now
group by 1, 2
order by 1, 2
