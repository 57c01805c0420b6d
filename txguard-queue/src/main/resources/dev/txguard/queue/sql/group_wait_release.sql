-- cancelGroup: releases the exclusive lock of group_wait.sql / group_try.sql.
-- Parameters: the lock key's first half (LockKeys.GROUP), the group's key text.
select pg_advisory_unlock(?, hashtext(?))
