-- txguard-queue schema, version 2: call-and-wait and cancellation (issue 7).
-- run_level: the txguard level (connection pool) the job is claimed, run and completed at. Jobs
--   enqueued by queue.call(...) from inside a unit at level L run at L+1, so a caller holding its
--   level-L connection while it waits never starves the job of a connection.
-- awaited: a caller waits for the job; its completion or final failure is announced with NOTIFY.
-- cancel_requested: cancel asked the running attempt to stop; a failure then ends the job cancelled.
alter table ${schema}.job add column run_level smallint not null default 0;
alter table ${schema}.job add column awaited boolean not null default false;
alter table ${schema}.job add column cancel_requested boolean not null default false;
