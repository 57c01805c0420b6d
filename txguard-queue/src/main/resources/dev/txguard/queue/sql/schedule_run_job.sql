-- Periodic jobs: records the job enqueued for a claimed instant. Parameters: job id, schedule, instant.
update ${schema}.schedule_run set job_id = ? where schedule = ? and fire_at = ?::timestamptz
