-- Maintenance: scheduled and retryable jobs whose time has come become available, and the
-- workers of their queues are woken (the caller notifies each queue returned, in the same unit).
-- Returns one row per queue and run level: queue, run_level, promoted (how many).
-- Parameters: now (null: the database's now()), batch size.
with clock as (select coalesce(?::timestamptz, now()) as now),
due as (
  select j.id
  from ${schema}.job j
  where j.state in ('scheduled', 'retryable') and j.run_at <= (select now from clock)
  order by j.run_at
  limit ?
  for update skip locked
),
promoted as (
  update ${schema}.job j set state = 'available'
  from due where j.id = due.id
  returning j.queue, j.run_level
)
select queue, run_level, count(*) as promoted from promoted group by queue, run_level
