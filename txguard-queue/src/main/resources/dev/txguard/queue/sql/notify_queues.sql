-- Sends many notifications on one channel in one statement, delivered when the sending unit
-- commits: cancel's requests to running jobs (channel <schema>_cancel, payloads job ids, see
-- Notifier). The Announcer's jobs go by announce.sql, which also sets its unit's commit mode.
-- Parameters: channel, payloads (text[]).
select count(pg_notify(?, p)) from unnest(?::text[]) as p
