-- cancelGroup: bounds the wait of group_wait.sql on its dedicated connection.
-- Parameter: the timeout, e.g. '1500ms' (at most 2147483647ms, the setting's limit).
select set_config('lock_timeout', ?, false)
