package dev.txguard.queue.internal;

import dev.txguard.Tx;
import dev.txguard.internal.TxImpl;

/**
 * Hands a unit's transaction id, which one of the queue's own statements in that unit returned
 * ({@code pg_current_xact_id()::text as xact}), to core's commit-outcome resolution: the unit then
 * needs no round trip of its own to ask for it before COMMIT, and a COMMIT that loses its
 * connection is still decided by the server, with the unit's hooks as for any unit. The enqueue
 * statements do this for the caller's unit (a unit that writes a business row and enqueues a job
 * costs the round trips of the business row alone), the completion statements for the queue's
 * completion units.
 */
final class TransactionIds {
  private TransactionIds() {}

  /**
   * Tells {@code tx}'s unit its id, {@code xid} as the statement returned it; does nothing for a
   * {@link Tx} that is not core's own (a test double) or a null id. The id is the top-level
   * transaction's also inside a savepoint ({@code pg_current_xact_id}, PostgreSQL 13+), and stays
   * assigned when the savepoint rolls back. Confined to the unit's thread.
   */
  static void known(Tx tx, String xid) {
    if (tx instanceof TxImpl unit) {
      unit.transactionIdKnown(xid);
    }
  }
}
