-- A running attempt of a grouped job takes its group's lock shared, session-scoped, on a connection
-- of its own that it holds for its whole run: only the attempt's end releases it (group_unlock.sql,
-- or the session's end). No unit is open meanwhile, so no unit timeout, no
-- idle_in_transaction_session_timeout and no leak report can end it early.
-- Parameters: the lock key's first half (LockKeys.GROUP), the group's key text (LockKeys.group).
select pg_advisory_lock_shared(?, hashtext(?))::text
