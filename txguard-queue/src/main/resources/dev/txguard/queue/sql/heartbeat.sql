-- Extends the leases of this process's running attempts and returns the ids of those that lost
-- theirs: the job is unfinished but no longer running under this attempt's token (its lease
-- expired and it was rescued, possibly claimed again). A job that finished is not reported.
-- Parameters: now (null: the database's now()), ids (bigint[]), attempt tokens (uuid[] as
-- text[]) in the same order, lease duration in ms.
with clock as (select coalesce(?::timestamptz, now()) as now),
mine as (select h.id, h.token from unnest(?::bigint[], ?::text[]::uuid[]) as h(id, token)),
extended as (
  update ${schema}.job j
  set lease_expires_at = clock.now + ?::bigint * interval '1 millisecond'
  from mine, clock
  where j.id = mine.id and j.lease_token = mine.token and j.state = 'running'
  returning j.id
)
select mine.id
from mine join ${schema}.job j on j.id = mine.id
where mine.id not in (select id from extended)
  and j.state in ('scheduled', 'available', 'running', 'retryable')
