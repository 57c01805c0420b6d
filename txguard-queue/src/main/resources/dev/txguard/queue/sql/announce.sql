-- The Announcer's unit, in one statement: sends many notifications on channel <schema>_jobs (the
-- jobs of many queues and run levels, payloads '<queue>@<level>#<sender>', see Wake), delivered
-- when the unit commits, and makes that commit asynchronous: set_config(.., .., true) acts as SET
-- LOCAL ("Configuration Settings Functions"), and a transaction commits with the
-- synchronous_commit in effect at its commit ("Asynchronous Commit"). The unit writes nothing a
-- crash could lose but the notifications, which a crash loses with every listener's session
-- anyway, and PostgreSQL holds the cluster-wide lock serialising notifying commits until the commit
-- returns, then without a WAL flush. One statement that only reads by its text (a SELECT) keeps
-- the unit at two round trips, BEGIN with it and COMMIT: a SET LOCAL of its own took one more, and
-- made core's commit-outcome resolution ask for the transaction id before COMMIT, one more again
-- (AnnounceStatementsIT). So a COMMIT that loses its connection is not resolved (core fails such a
-- unit with CommitOutcomeUnknownException, having no transaction id to look up), where the
-- transaction-id query used to return null and let it pass: the Announcer logs it like any failed
-- send, and the other processes find the jobs at their next poll.
-- Parameters: channel, payloads (text[]). Returns the count of notifications sent.
select (select count(pg_notify(?, p)) from unnest(?::text[]) as p) as notified,
       set_config('synchronous_commit', 'off', true) as commit_mode
