-- First in the units of the statements that join a batch of jobs to the job table (the claim, the
-- batched completion, the heartbeat and its check): plans made in this transaction look the jobs up
-- in an index (the claim in job_claim_idx, in order; the others in the primary key, a nested loop
-- over the batch) instead of reading the job table whole. PostgreSQL keeps a prepared statement's
-- generic plan until something invalidates it (an ANALYZE or VACUUM of the table, PostgreSQL
-- documentation, "PREPARE"); made while the table was small (a new queue, a table that retention
-- keeps small, after a TRUNCATE), that plan reads the job table sequentially (a hash join, or a
-- filter), the cheapest way only while the table is small. When a burst then grows the table, every
-- claim reads all of it until autovacuum next analyses the table: in the sustained benchmark's
-- first minute, 8,000 buffers and 28 ms a claim, and 2,300 of 10,400 jobs/s offered started. The
-- settings last for this transaction only (set_config(.., .., true) acts as SET LOCAL,
-- "Configuration Settings Functions"; the enable_* settings, "Planner Method Configuration"), so
-- they shape only the plans made here, and a plan made here is kept by the cache with its lookups.
-- Bitmap scans are off too: with sequential scans off, a claim planned on a few dozen rows read
-- every waiting job of its queue through a bitmap and sorted them, instead of the ordered scan of
-- job_claim_idx that stops at its LIMIT (PlanLookupsIT). A plan can be made again at any execution
-- after an invalidation, so this must run first in every unit that runs one of those statements,
-- before it.
select set_config('enable_seqscan', 'off', true), set_config('enable_hashjoin', 'off', true),
       set_config('enable_mergejoin', 'off', true), set_config('enable_bitmapscan', 'off', true)
