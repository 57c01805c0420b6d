-- cancelGroup: how many jobs of the group still say running (an ended attempt records its end a
-- moment after it released the group's lock). Parameter: group.
select count(*) as running from ${schema}.job where job_group = ? and state = 'running'
