package dev.txguard.internal.dialect;

/** A connection's transaction status as its driver last saw it. */
public enum TransactionState {
  /** No transaction is open. */
  IDLE,
  /** A transaction is open and usable. */
  OPEN,
  /** A transaction is open but failed: it can only roll back. */
  FAILED
}
