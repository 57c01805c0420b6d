-- Run in a claim's unit: its COMMIT does not wait for the WAL flush (PostgreSQL documentation,
-- "Asynchronous Commit"; synchronous_commit, "Write Ahead Log" settings). A claim lost in a server
-- crash leaves its jobs available, as if never claimed: their attempts run again, which a job
-- whose handler ran before its completion committed is already exposed to (at-least-once). Every
-- later durable commit of the server, such as the jobs' completions or a transactional handler's
-- unit, flushes the claim's WAL with its own. No parameters.
set local synchronous_commit = off
