-- Jobs per queue and state.
select queue, state, count(*) as count from ${schema}.job group by queue, state
