-- Completes many attempts in ONE statement (see Completions), each only if it still holds its lease
-- (same attempt token, still running), exactly as complete.sql does for one. Returns one row per
-- attempt that completed (its id and attempt token, and whether a caller awaits the job); an attempt
-- without a row no longer held the lease and completed nothing. Each row also carries the
-- transaction's id, for core's commit-outcome resolution (see complete.sql).
-- A batch waits at most a second for a row another transaction holds locked (an operator's open
-- transaction, a long cancel): lock_timeout is set to 1 s for the rest of the batch's unit (in
-- place of one the queue's options set) before the UPDATE locks its first row. set_config(.., ..,
-- true) acts as SET LOCAL, in this statement, without a round trip of its own (PostgreSQL
-- documentation, "System Administration Functions" and lock_timeout); its value is a constant,
-- which core does not count as a change of the session (a computed one would cost the connection a
-- reset after every batch). A batch that times out fails as a whole (SQLSTATE 55P03), and each of
-- its attempts then completes in a unit of its own, so only the attempt whose row is locked waits
-- for the lock, not the completions of its whole run level.
-- Parameters: now (null: the database's now()), ids (bigint[]), attempt tokens (text[] of uuids),
-- results (text[] of json, elements may be null); the three arrays are parallel.
-- "Still running under this attempt" is written as the attempt's token with a lease expiry, which
-- job_lease_check (V1) makes equivalent to state = 'running'; written as state = 'running' it
-- lets the planner scan job_lease_idx whole and join the ids to it by hash: with statistics taken
-- while few jobs ran (as on any queue table) it prices that index at one row, but between VACUUMs
-- it holds an entry for every job claimed since (millions in the sustained benchmark). Matched by
-- id, the primary key is the one index the statement can use.
update ${schema}.job j
set state = 'completed',
    finalized_at = coalesce(?::timestamptz, now()),
    result = b.result::jsonb,
    lease_owner = null, lease_token = null, lease_expires_at = null
from unnest(?::bigint[], ?::text[], ?::text[]) as b(id, token, result)
where (select set_config('lock_timeout', '1s', true)) is not null -- once, before any row (InitPlan)
  and j.id = b.id and j.lease_token = b.token::uuid and j.lease_expires_at is not null
returning j.id, b.token, j.awaited, pg_current_xact_id()::text as xact
