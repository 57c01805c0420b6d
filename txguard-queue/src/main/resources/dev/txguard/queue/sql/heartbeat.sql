-- Extends the leases of this process's running attempts and returns the ids of those extended.
-- An attempt is extended only while it still holds its lease (same attempt token, still running).
-- Which of the others lost their lease is read by a separate statement (heartbeat_check.sql) in the
-- same unit: its snapshot, taken after this statement waited for concurrent writers of these rows,
-- sees a job finished meanwhile as finished, not as still running under a lost lease.
-- Parameters: now (null: the database's now()), ids (bigint[]), attempt tokens (uuid[] as
-- text[]) in the same order, lease duration in ms.
with clock as (select coalesce(?::timestamptz, now()) as now),
mine as (select h.id, h.token from unnest(?::bigint[], ?::text[]::uuid[]) as h(id, token))
update ${schema}.job j
set lease_expires_at = clock.now + ?::bigint * interval '1 millisecond',
    leased_at = clock.now
from mine, clock
where j.id = mine.id and j.lease_token = mine.token and j.state = 'running'
returning j.id
