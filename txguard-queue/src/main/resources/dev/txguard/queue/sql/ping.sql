-- The control connection: checks the leader's session is alive (so it still holds its lock).
select 1
