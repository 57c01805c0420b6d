-- Asks running attempts to stop: their handlers see it through JobContext, and a failure then ends
-- the job cancelled. Parameters: id (null: any), group (null: any). Returns the running jobs' ids.
update ${schema}.job
set cancel_requested = true
where state = 'running'
  and id = coalesce(?::bigint, id)
  and job_group is not distinct from coalesce(?::text, job_group)
returning id
