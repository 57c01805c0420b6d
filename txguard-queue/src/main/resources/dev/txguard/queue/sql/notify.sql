-- The queue's one notification statement (see Notifier): NOTIFY on a channel, delivered by
-- PostgreSQL only if and when the sending unit commits. Channels: <schema>_jobs with a queue name
-- (jobs became available there), <schema>_done with a job id (an awaited job ended).
-- Parameters: channel, payload.
select pg_notify(?, ?)::text
