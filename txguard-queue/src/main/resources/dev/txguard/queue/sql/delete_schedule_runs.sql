-- Maintenance: forgets claimed instants older than the retention period (the cursor, which never
-- moves back, keeps them from being enqueued again).
-- Parameters: now (null: the database's now()), retention in ms, batch size.
with doomed as (
  select schedule, fire_at from ${schema}.schedule_run
  where created_at < coalesce(?::timestamptz, now()) - ?::bigint * interval '1 millisecond'
  order by created_at
  limit ?
)
delete from ${schema}.schedule_run r using doomed d where r.schedule = d.schedule and r.fire_at = d.fire_at
