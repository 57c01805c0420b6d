package dev.txguard.bench;

import dev.txguard.Database;
import dev.txguard.TxOptions;

/**
 * txguard as its javadoc teaches it: default options, statements through {@code Tx}. As {@code
 * txguard-unresolved}, the same with {@link TxOptions#resolveLostCommit(boolean)} off, which prices
 * the transaction-id round trip a read-write unit pays before COMMIT.
 */
final class TxguardUnits implements Units {
  private final Database db;

  TxguardUnits(boolean resolveLostCommit) {
    this.db =
        resolveLostCommit
            ? BenchSetup.txguard(null)
            : BenchSetup.txguard(null, TxOptions.defaults().resolveLostCommit(false));
  }

  @Override
  public long read(int id) {
    return db.inTx(
        tx ->
            tx.queryOne(Schema.READ, rs -> rs.getLong(1), id)
                .orElseThrow(() -> new IllegalStateException("no account " + id)));
  }

  @Override
  public void write(int from, int to, long amount) {
    db.useTx(
        tx -> {
          tx.update(Schema.DEBIT, amount, from);
          tx.update(Schema.CREDIT, amount, to);
          tx.update(Schema.LOG, from, to, amount);
        });
  }

  @Override
  public void close() {
    db.close();
  }
}
