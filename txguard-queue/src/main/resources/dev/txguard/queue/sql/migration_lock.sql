-- migrate(): serializes every migrating process with a transaction advisory lock, released when the
-- unit ends. Parameters: the lock key's first half, the schema (hashed into the second half).
select pg_advisory_xact_lock(?, hashtext(?))::text
