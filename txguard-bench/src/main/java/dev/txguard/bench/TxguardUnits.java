package dev.txguard.bench;

import dev.txguard.Database;
import dev.txguard.TxOptions;

/**
 * txguard as its javadoc teaches it: default options, statements through {@code Tx}. As {@code
 * txguard-unresolved}, the same with {@link TxOptions#resolveLostCommit(boolean)} off, which prices
 * the transaction-id round trip a read-write unit pays before COMMIT. As {@code txguard-read-only},
 * the default options with the read unit marked {@link TxOptions#readOnly(boolean) read-only}, as
 * that option's javadoc advises (a read-only unit pays no resolution round trip); its write unit is
 * {@code txguard}'s.
 */
final class TxguardUnits implements Units {
  private static final TxOptions READ_ONLY = TxOptions.defaults().readOnly(true);

  private final Database db;
  private final TxOptions readOptions;

  TxguardUnits(boolean resolveLostCommit) {
    this(resolveLostCommit, false);
  }

  TxguardUnits(boolean resolveLostCommit, boolean markReadsReadOnly) {
    this.db =
        resolveLostCommit
            ? BenchSetup.txguard(null)
            : BenchSetup.txguard(null, TxOptions.defaults().resolveLostCommit(false));
    this.readOptions = markReadsReadOnly ? READ_ONLY : null;
  }

  @Override
  public long read(int id) {
    if (readOptions != null) {
      return db.inTx(
          readOptions,
          tx ->
              tx.queryOne(Schema.READ, rs -> rs.getLong(1), id)
                  .orElseThrow(() -> new IllegalStateException("no account " + id)));
    }
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
