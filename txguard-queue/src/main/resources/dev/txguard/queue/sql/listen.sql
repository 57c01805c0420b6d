-- The control connection: listens for available jobs, for the ends of awaited jobs (see notify.sql)
-- and for cancel requests of running jobs (see notify_queues.sql).
listen ${schema}_jobs;
listen ${schema}_done;
listen ${schema}_cancel
