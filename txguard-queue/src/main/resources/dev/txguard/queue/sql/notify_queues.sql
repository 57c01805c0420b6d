-- Announces many queues in one statement (see Announcer): one NOTIFY per queue, on the same
-- channel and with the same payload notify.sql uses, delivered when the announcing unit commits.
-- Parameters: channel, queue names (text[]).
select count(pg_notify(?, q)) from unnest(?::text[]) as q
