-- Names the control connection's session (application_name, cut by the server at 63 bytes), so that
-- operators (QueueAdmin.processes, admin_processes.sql) see this process and whether it leads, and
-- other processes' announcers (listeners.sql) see that it listens. Sent before LISTEN.
-- Parameters: the name. Returns the name set and the session's backend pid.
select set_config('application_name', ?, false) as name, pg_backend_pid() as pid
