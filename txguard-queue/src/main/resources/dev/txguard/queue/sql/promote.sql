-- Maintenance: scheduled and retryable jobs whose time has come become available, and the
-- workers of their queues are woken (NOTIFY is delivered at commit). Returns one row per queue.
-- Parameters: now (null: the database's now()), batch size, notification channel.
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
  returning j.queue
)
select q.queue, q.n, pg_notify(?, q.queue)::text
from (select queue, count(*) as n from promoted group by queue) q
