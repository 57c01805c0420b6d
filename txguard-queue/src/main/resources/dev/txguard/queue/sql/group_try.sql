-- cancelGroup with a zero wait: whether no attempt of the group holds its lock right now (taken
-- exclusively without waiting; group_wait_release.sql releases it when taken).
-- Parameters: the lock key's first half (LockKeys.GROUP), the group's key text.
select pg_try_advisory_lock(?, hashtext(?))
