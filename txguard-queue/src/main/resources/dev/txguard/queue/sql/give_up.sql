-- Graceful shutdown: hands a running attempt back to the queue at once, not counting it as an
-- attempt. Parameters: now (null: the database's now()), id, attempt token.
update ${schema}.job
set state = 'available',
    attempt = greatest(attempt - 1, 0),
    run_at = coalesce(?::timestamptz, now()),
    lease_owner = null, lease_token = null, lease_expires_at = null
where id = ? and lease_token = ?::uuid and state = 'running'
returning queue
