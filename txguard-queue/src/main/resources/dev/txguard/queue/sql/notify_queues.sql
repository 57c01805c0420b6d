-- Sends many notifications on one channel in one statement, delivered when the sending unit
-- commits: the Announcer's jobs of many queues and run levels (channel <schema>_jobs, payloads
-- '<queue>@<level>#<sender>', see Wake), and cancel's requests to running jobs (channel
-- <schema>_cancel, payloads job ids, see Notifier).
-- Parameters: channel, payloads (text[]).
select count(pg_notify(?, p)) from unnest(?::text[]) as p
