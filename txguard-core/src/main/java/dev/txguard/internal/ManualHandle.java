package dev.txguard.internal;

import dev.txguard.Tx;
import dev.txguard.TxHandle;
import java.lang.ref.Cleaner;

/**
 * A manual unit. A {@link Cleaner} watches the handle: when it becomes unreachable while the unit
 * is still open, the unit is reported as a leak and rolled back, and its connection goes back to
 * the pool. The cleaning action holds the {@link Unit}, never the handle; the handle's {@link Tx}
 * holds the handle, so a caller keeping only the {@code Tx} keeps the unit alive.
 */
final class ManualHandle implements TxHandle {
  private static final Cleaner CLEANER =
      Cleaner.create(
          r -> {
            Thread t = new Thread(r, "txguard-handle-cleaner");
            t.setDaemon(true);
            return t;
          });

  private final Unit unit;
  private final ManualUnits units;
  private final TxImpl tx;
  private final Cleaner.Cleanable cleanable;

  /** Whether commit, rollback or close already ended the unit through this handle. */
  private boolean finished;

  ManualHandle(Unit unit, ManualUnits units) {
    this.unit = unit;
    this.units = units;
    this.tx = new TxImpl(unit, this);
    this.cleanable = CLEANER.register(this, new Abandoned(unit, units));
  }

  @Override
  public Tx tx() {
    return tx;
  }

  TxImpl txImpl() {
    return tx;
  }

  @Override
  public void commit() {
    finish("commit");
    try {
      units.commit(unit, tx);
    } finally {
      cleanable.clean();
    }
  }

  @Override
  public void rollback() {
    finish("rollback");
    try {
      units.rollback(unit, tx, null);
    } finally {
      cleanable.clean();
    }
  }

  @Override
  public void close() {
    if (finished) {
      return;
    }
    finished = true;
    try {
      units.rollback(unit, tx, null);
    } finally {
      cleanable.clean();
    }
  }

  /** Marks the handle as ended, or throws if commit or rollback already ended it. */
  private void finish(String what) {
    if (finished) {
      throw new IllegalStateException(
          "cannot "
              + what
              + " "
              + unit
              + ": commit, rollback or close already ended"
              + " it through this handle");
    }
    finished = true;
  }

  @Override
  public String toString() {
    return "TxHandle[" + unit + "]";
  }

  /**
   * Runs when a handle is closed (after its unit ended: nothing left to do), or found unreachable
   * while its unit is still open or timed out without anyone ending it.
   */
  private record Abandoned(Unit unit, ManualUnits units) implements Runnable {
    @Override
    public void run() {
      units.abandoned(unit);
    }
  }
}
