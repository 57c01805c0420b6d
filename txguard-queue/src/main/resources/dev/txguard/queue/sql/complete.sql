-- Completes one attempt, only if it still holds the lease (same attempt token, still running).
-- Returns whether a caller awaits the job (read from the row: a call(...) may have marked it while
-- it ran), or no row when the attempt no longer holds the lease; and the transaction's id, which the
-- unit hands to core's commit-outcome resolution instead of a round trip to ask for it.
-- Parameters: now (null: the database's now()), result (json text or null), id, attempt token.
-- "Still running under this attempt" is written as the attempt's token with a lease expiry, which
-- job_lease_check (V1) makes equivalent to state = 'running' (see complete_batch.sql): written as
-- state = 'running', its generic and custom plans scanned job_lease_idx (priced at one row with the
-- statistics of a queue table, but holding an entry for every job claimed since the last VACUUM)
-- and filtered the id, instead of looking the id up in the primary key.
update ${schema}.job
set state = 'completed',
    finalized_at = coalesce(?::timestamptz, now()),
    result = ?::jsonb,
    lease_owner = null, lease_token = null, lease_expires_at = null
where id = ? and lease_token = ?::uuid and lease_expires_at is not null
returning awaited, pg_current_xact_id()::text as xact
