-- cancelGroup: how many jobs of the group still say running (an ended attempt records its end a
-- moment after it released the group's lock). Parameter: group.
-- Running is matched by the lease (token and expiry), which job_lease_check makes the same as
-- state = 'running': written with the state, the plan scanned job_lease_idx (priced at a few rows, it holds an entry
-- for every job claimed since the last VACUUM) instead of the group's rows in job_group_idx.
select count(*) as running from ${schema}.job where job_group = ?
  and lease_token is not null and lease_expires_at is not null
