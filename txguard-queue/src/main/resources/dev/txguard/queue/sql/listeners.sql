-- Whether another process listens for this schema's announcements (see Announcer): counts the
-- sessions of this database named as a started queue's control connection (name_session.sql:
-- application_name 'txguard <schema> <owner>', which it sets before it LISTENs), this process's own
-- control connection left out by its backend pid. pg_stat_activity shows every session's
-- application_name to every role (PostgreSQL documentation, "pg_stat_activity"); NOTIFY reaches
-- only sessions of the same database. A prefix matching more than this schema's sessions only
-- makes the announcer notify when it need not.
-- Parameters: the name prefix, this process's control connection's backend pid (0: none).
-- Returns the count.
select count(*)
from pg_stat_activity a
where a.datname = current_database() and starts_with(a.application_name, ?) and a.pid <> ?
