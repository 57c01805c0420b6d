-- The control connection: gives maintenance leadership up (the session lock of leader_try.sql).
-- Parameters: the lock key's first half (LockKeys.LEADER), the schema.
select pg_advisory_unlock(?, hashtext(?))
