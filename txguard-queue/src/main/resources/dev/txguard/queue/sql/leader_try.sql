-- The control connection: tries to become the maintenance leader, a session advisory lock held for
-- as long as the connection lives (released by the server when the session ends).
-- Parameters: the lock key's first half (LockKeys.LEADER), the schema (hashed into the second half).
select pg_try_advisory_lock(?, hashtext(?))
