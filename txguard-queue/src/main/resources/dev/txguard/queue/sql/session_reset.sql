-- Undoes session_setup.sql before a dedicated connection is closed (it may go back to the pool of
-- a DataSource the application gave the database).
select count(set_config(name, reset_val, false))
from pg_settings
where name in ('idle_session_timeout', 'idle_in_transaction_session_timeout', 'statement_timeout', 'lock_timeout')
