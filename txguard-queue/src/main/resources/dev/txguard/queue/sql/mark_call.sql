-- Marks the job of a queue.call(...): awaited (its end is announced), and, if it has not started, run
-- at least at the given level. The job may be an existing one holding the call's unique key, in any
-- unfinished state: a retryable job moves up like a new one (its next attempt must not need the
-- pool its caller holds); a running one is only marked awaited (its attempt keeps its level).
-- Parameters: run level, id. Returns the job's queue, state and run level (none if it has ended), so
-- that the caller's unit wakes the fetcher of that level after commit.
update ${schema}.job
set awaited = true,
    run_level = case when state = 'running' then run_level else greatest(run_level, ?::smallint) end
where id = ? and state in ('scheduled', 'available', 'running', 'retryable')
returning queue, state, run_level
