-- Marks a job just enqueued by queue.call(...): awaited, run at the given level.
-- Parameters: run level, id.
update ${schema}.job set awaited = true, run_level = ? where id = ? and state in ('scheduled', 'available')
