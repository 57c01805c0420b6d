-- Completes many attempts in ONE statement (see Completions), each only if it still holds its lease
-- (same attempt token, still running), exactly as complete.sql does for one. Returns one row per
-- attempt that completed (its id and attempt token, and whether a caller awaits the job); an attempt
-- without a row no longer held the lease and completed nothing. Each row also carries the
-- transaction's id, for core's commit-outcome resolution (see complete.sql).
-- Parameters: now (null: the database's now()), ids (bigint[]), attempt tokens (text[] of uuids),
-- results (text[] of json, elements may be null); the three arrays are parallel.
update ${schema}.job j
set state = 'completed',
    finalized_at = coalesce(?::timestamptz, now()),
    result = b.result::jsonb,
    lease_owner = null, lease_token = null, lease_expires_at = null
from unnest(?::bigint[], ?::text[], ?::text[]) as b(id, token, result)
where j.id = b.id and j.lease_token = b.token::uuid and j.state = 'running'
returning j.id, b.token, j.awaited, pg_current_xact_id()::text as xact
