-- The announcer's unit commits without waiting for its commit record's flush (see Announcer): it
-- writes nothing but notifications, which a crash loses with every listener's session anyway, and
-- PostgreSQL holds the cluster-wide lock serialising notifying commits until that commit returns.
set local synchronous_commit = off
