package dev.txguard.spring.internal;

import org.springframework.transaction.support.AbstractTransactionStatus;

/**
 * The {@code TransactionStatus} a callback of the txguard transaction manager sees. Savepoints
 * through it are not supported (Spring's default refusal): use propagation {@code NESTED}.
 */
final class TxguardStatus extends AbstractTransactionStatus {
  private final boolean newTransaction;
  private final boolean transaction;
  private final boolean nested;

  TxguardStatus(boolean newTransaction, boolean transaction, boolean nested) {
    this.newTransaction = newTransaction;
    this.transaction = transaction;
    this.nested = nested;
  }

  @Override
  public boolean isNewTransaction() {
    return newTransaction;
  }

  @Override
  public boolean hasTransaction() {
    return transaction;
  }

  @Override
  public boolean isNested() {
    return nested;
  }
}
