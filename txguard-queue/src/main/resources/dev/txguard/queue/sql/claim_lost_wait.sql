-- A claim whose COMMIT lost its connection: waits, before its jobs are handed back, until the
-- claim's transaction has ended either way, by locking the claimed rows (the claim holds them
-- locked while it is in progress: a COMMIT still on its way, a backend that has not noticed its
-- client is gone). Without this wait, give_up.sql run while the claim is still in progress would
-- read the rows as they were before the claim (available, no token: READ COMMITTED, PostgreSQL
-- documentation, "Transaction Isolation"), change nothing, and a claim committing afterwards would
-- leave its jobs leased to nobody until the leases expire. The wait is bounded by the unit's
-- timeout; the hand-back then runs in units of its own, each reading the rows anew.
-- Parameter: the claimed jobs' ids (bigint[]). Returns the ids locked.
select j.id from ${schema}.job j where j.id = any (?::bigint[]) for no key update
