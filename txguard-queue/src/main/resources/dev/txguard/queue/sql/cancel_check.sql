-- Whether a running attempt was asked to stop. Parameters: id, attempt token.
select cancel_requested from ${schema}.job where id = ? and lease_token = ?::uuid and state = 'running'
