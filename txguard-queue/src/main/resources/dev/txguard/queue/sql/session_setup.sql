-- A dedicated session connection (control connection, group locks, cancelGroup's wait): no server
-- timeout may end it while it idles or waits, since ending the session would release its advisory
-- locks. Sets only the settings this server has (idle_session_timeout is PostgreSQL 14+).
select count(set_config(name, '0', false))
from pg_settings
where name in ('idle_session_timeout', 'idle_in_transaction_session_timeout', 'statement_timeout', 'lock_timeout')
