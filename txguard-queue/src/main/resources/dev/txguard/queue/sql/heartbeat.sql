-- Extends the leases of this process's running attempts and returns the ids of those extended.
-- An attempt is extended only while it still holds its lease (same attempt token, still running).
-- A row another transaction holds locked (a completion or failure record under way, a rescue, a
-- user's own lock) is skipped, not waited for: one locked row must not stop every other lease of
-- the process from being extended. FOR NO KEY UPDATE, the lock the UPDATE takes anyway, so a row
-- only key-share locked (a foreign key inserted elsewhere that references the job) is still
-- extended. A skipped lease is extended by a later heartbeat; whether it
-- was lost is read by heartbeat_check.sql, by attempt token, not from this statement's result.
-- Parameters: now (null: the database's now()), ids (bigint[]), attempt tokens (uuid[] as
-- text[]) in the same order, lease duration in ms.
-- "Still running under this attempt" is written as the attempt's token with a lease expiry, which
-- job_lease_check (V1) makes equivalent to state = 'running'; written as state = 'running' it
-- lets the planner scan job_lease_idx whole and join the ids to it by hash: with statistics taken
-- while few jobs ran (as on any queue table) it prices that index at one row, but between VACUUMs
-- it holds an entry for every job claimed since (millions in the sustained benchmark). Matched by
-- id, the primary key is the one index the statement can use.
with clock as (select coalesce(?::timestamptz, now()) as now),
mine as (select h.id, h.token from unnest(?::bigint[], ?::text[]::uuid[]) as h(id, token)),
free as (
  select j.id
  from ${schema}.job j join mine on j.id = mine.id
  where j.lease_token = mine.token and j.lease_expires_at is not null
  for no key update of j skip locked
)
update ${schema}.job j
set lease_expires_at = clock.now + ?::bigint * interval '1 millisecond',
    leased_at = clock.now
from free, clock
where j.id = free.id
returning j.id
