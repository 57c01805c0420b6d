-- The control connection: tries to become the maintenance leader, a session advisory lock held for
-- as long as the connection lives (released by the server when the session ends). When another
-- session holds it and has sent nothing for longer than the given time, its process has stopped
-- without ending the session (frozen by SIGSTOP, a suspended VM, a debugger, a stalled pause): the
-- server keeps such a session and its lock for good, and with them every rescue and schedule, so
-- the session is ended (pg_terminate_backend, PostgreSQL doc 9.28.2 "Server Signaling Functions")
-- and the lock is free for the next try. A live leader checks its session (ping.sql) far more often
-- than that time. Only a session of the same role, idle outside a transaction, is ended: the
-- server lets a role end its own sessions, and shows another role's activity to none but
-- pg_read_all_stats. The lock is in pg_locks' two-key form: classid = first key, objid = hashtext(
-- schema), objsubid = 2 (PostgreSQL doc 54.12 "pg_locks"). The try and pg_locks are read in one
-- statement; a holder seen just before it released the lock is already gone, and ending a gone
-- backend only warns.
-- Parameters: the lock key's first half (LockKeys.LEADER), the schema (hashed into the second
-- half), the idle time in milliseconds after which a holder's session is ended.
-- Returns whether this session took the lock; and the stale holder's pid, application_name, idle
-- time in milliseconds and whether ending it succeeded (null when no holder was stale).
with v as (select ?::integer as k, hashtext(?::text) as h, ?::bigint as stale_ms),
try as (select pg_try_advisory_lock(v.k, v.h) as got from v),
stale as (
  select a.pid, a.application_name,
         (extract(epoch from clock_timestamp() - a.state_change) * 1000)::bigint as idle_ms
  from try, v, pg_locks l join pg_stat_activity a on a.pid = l.pid
  where not try.got
    and l.locktype = 'advisory' and l.granted and l.objsubid = 2
    and l.classid = v.k::oid and l.objid = v.h::oid and l.pid <> pg_backend_pid()
    and a.state = 'idle' and a.usename = current_user
    and a.state_change < clock_timestamp() - v.stale_ms * interval '1 millisecond'
)
select try.got, s.pid, s.application_name, s.idle_ms, pg_terminate_backend(s.pid) as ended
from try left join stale s on true
