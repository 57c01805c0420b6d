-- cancelGroup: waits until no attempt of the group holds its lock (they hold it shared for their
-- whole run), by taking it exclusively, session-scoped, on a dedicated connection whose
-- lock_timeout bounds the wait (SQLSTATE 55P03 when it runs out); group_wait_release.sql releases
-- it at once. Parameters: the lock key's first half (LockKeys.GROUP), the group's key text.
select pg_advisory_lock(?, hashtext(?))::text
