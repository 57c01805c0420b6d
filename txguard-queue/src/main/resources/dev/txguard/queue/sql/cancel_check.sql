-- Whether a running attempt was asked to stop. Parameters: id, attempt token.
-- "Still running under this attempt" is written as the attempt's token with a lease expiry, which
-- job_lease_check (V1) makes equivalent to state = 'running' (see complete_batch.sql): written as
-- state = 'running', its generic and custom plans scanned job_lease_idx (priced at one row with the
-- statistics of a queue table, but holding an entry for every job claimed since the last VACUUM)
-- and filtered the id, instead of looking the id up in the primary key.
select cancel_requested from ${schema}.job where id = ? and lease_token = ?::uuid and lease_expires_at is not null
