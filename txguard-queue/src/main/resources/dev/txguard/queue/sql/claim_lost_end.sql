-- A claim whose COMMIT lost its connection: ends the claim's backend if it still runs the claim's
-- transaction. Such a backend never got the COMMIT and keeps the claimed rows locked, idle in its
-- transaction, until the server notices its client is gone (which may take long after a network
-- failure); ending it aborts that transaction, releases the rows, and lets the hand-back that
-- follows (give_up.sql) run now instead of waiting on the locks. Matched on the process id and the
-- transaction's id, so a backend that reused the process id is never touched; a backend that got
-- the COMMIT has no transaction id any more and is left alone. Needs the privilege to signal the
-- backend, which every role has for its own sessions (PostgreSQL documentation, "Server Signaling
-- Functions").
-- Parameters: backend process id, transaction id (the low 32 bits of the claim's xid8, as text).
-- Returns one row per backend signalled (at most one).
select pg_terminate_backend(a.pid)::text
from pg_stat_activity a
where a.pid = ? and a.backend_xid::text = ?
