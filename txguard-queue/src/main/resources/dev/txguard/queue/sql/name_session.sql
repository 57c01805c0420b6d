-- Names the control connection's session (application_name, cut by the server at 63 bytes), so that
-- operators (QueueAdmin.processes, admin_processes.sql) see this process and whether it leads.
-- Parameters: the name. Returns the name set.
select set_config('application_name', ?, false)
