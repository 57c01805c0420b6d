-- Claims up to LIMIT available jobs of one queue in ONE statement: the rows are locked with SKIP
-- LOCKED (concurrent claimers take different jobs, nobody waits), moved to running, given a new
-- attempt number and a lease (owner, fresh attempt token, expiry).
-- Parameters: now (null: the database's now()), queue, kinds (text[]), run level, limit, lease owner,
-- lease duration in milliseconds. created_at is returned as microseconds since the epoch (cheaper
-- to read than a timestamptz, per claimed job). Returns cancel_requested too: a job whose cancel
-- was requested while an earlier attempt ran is not expected here (every way out of running
-- honours it), but if one ever is, the attempt ends cancelled before its handler runs.
with clock as (select coalesce(?::timestamptz, now()) as now),
picked as (
  select j.id
  from ${schema}.job j
  where j.state = 'available' and j.queue = ? and j.run_at <= (select now from clock)
    and j.kind = any (?::text[]) and j.run_level = ?
  order by j.priority, j.run_at, j.id
  limit ?
  for update skip locked
)
update ${schema}.job j
set state = 'running',
    attempt = j.attempt + 1,
    attempted_at = clock.now,
    leased_at = clock.now,
    lease_owner = ?,
    lease_token = gen_random_uuid(),
    lease_expires_at = clock.now + ?::bigint * interval '1 millisecond'
from picked, clock
where j.id = picked.id
returning j.id, j.kind, j.queue, j.args::text, j.priority, j.attempt, j.max_attempts,
          (extract(epoch from j.created_at) * 1000000)::bigint as created_at_us,
          j.lease_token, j.unique_key, j.job_group, j.awaited, j.cancel_requested
