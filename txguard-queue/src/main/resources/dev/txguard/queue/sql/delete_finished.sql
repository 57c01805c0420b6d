-- Maintenance: deletes finished jobs older than the retention period.
-- Parameters: now (null: the database's now()), retention in ms, batch size.
with doomed as (
  select id from ${schema}.job
  where finalized_at < coalesce(?::timestamptz, now()) - ?::bigint * interval '1 millisecond'
  order by finalized_at
  limit ?
)
delete from ${schema}.job j using doomed where j.id = doomed.id
