-- Completes one attempt, only if it still holds the lease (same attempt token, still running).
-- Returns whether a caller awaits the job (read from the row: a call(...) may have marked it while
-- it ran), or no row when the attempt no longer holds the lease; and the transaction's id, which the
-- unit hands to core's commit-outcome resolution instead of a round trip to ask for it.
-- Parameters: now (null: the database's now()), result (json text or null), id, attempt token.
update ${schema}.job
set state = 'completed',
    finalized_at = coalesce(?::timestamptz, now()),
    result = ?::jsonb,
    lease_owner = null, lease_token = null, lease_expires_at = null
where id = ? and lease_token = ?::uuid and state = 'running'
returning awaited, pg_current_xact_id()::text as xact
