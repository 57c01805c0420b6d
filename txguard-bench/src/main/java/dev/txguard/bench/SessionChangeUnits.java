package dev.txguard.bench;

import dev.txguard.Database;

/**
 * What a unit that changes its session pays for the reset at hand-back: txguard's units with one
 * more statement first, {@code SET LOCAL application_name} (ends with the transaction: no reset) or
 * {@code SET application_name} (outlives it: the connection gets {@code DISCARD ALL} before it goes
 * back). Both send the same number of statements, so the difference between the two contenders is
 * the reset.
 */
final class SessionChangeUnits implements Units {
  private final Database db = BenchSetup.txguard(null);
  private final String change;

  SessionChangeUnits(boolean session) {
    this.change =
        session
            ? "set application_name = 'txguard-bench'"
            : "set local application_name = 'txguard-bench'";
  }

  @Override
  public long read(int id) {
    return db.inTx(
        tx -> {
          tx.update(change);
          return tx.queryOne(Schema.READ, rs -> rs.getLong(1), id)
              .orElseThrow(() -> new IllegalStateException("no account " + id));
        });
  }

  @Override
  public void write(int from, int to, long amount) {
    db.useTx(
        tx -> {
          tx.update(change);
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
