-- Announces jobs of many queues and run levels in one statement (see Announcer): one NOTIFY per
-- payload ('<queue>@<level>#<sender>', see Wake), on the channel notify.sql uses, delivered when
-- the announcing unit commits.
-- Parameters: channel, payloads (text[]).
select count(pg_notify(?, p)) from unnest(?::text[]) as p
