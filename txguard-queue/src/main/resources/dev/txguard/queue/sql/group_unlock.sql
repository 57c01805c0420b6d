-- The end of a grouped attempt: releases the shared lock of group_lock.sql.
-- Parameters: the lock key's first half (LockKeys.GROUP), the group's key text.
select pg_advisory_unlock_shared(?, hashtext(?))
