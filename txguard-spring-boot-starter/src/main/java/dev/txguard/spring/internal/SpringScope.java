package dev.txguard.spring.internal;

import dev.txguard.Tx;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.UnexpectedRollbackException;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionSynchronizationUtils;

/**
 * Binds Spring's per-thread transaction state to a txguard unit while a Spring callback runs in it.
 *
 * <p>Invariants: the first Spring scope in a unit (the "owner": no synchronization active yet)
 * opens Spring's synchronization, binds a {@link ConnectionHolder} over the unit's connection under
 * the database's {@code dataSource()} (so {@code DataSourceUtils} hands that connection to {@code
 * JdbcTemplate}) and a {@link UnitFlags} for the participants; it clears all of it when it returns
 * or throws. The synchronizations registered meanwhile are handed to the unit's own after-commit /
 * after-rollback hooks, so they run once, after the unit's real outcome, never for an attempt that
 * is retried. Scopes inside it only run the callback and record {@code setRollbackOnly()}. {@link
 * #suspending} hides all of it around an independent unit and puts it back afterwards.
 */
public final class SpringScope {
  private final DataSource dataSource;

  /** The key of the unit's {@link UnitFlags} among Spring's thread resources: one per manager. */
  private final Object flagsKey = new Object();

  public SpringScope(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** What the participants of a unit tell its owner. */
  static final class UnitFlags {
    boolean rollbackOnly;
  }

  /**
   * Thrown out of a unit's callback to roll it back when the callback only called {@code
   * setRollbackOnly()}; carries the callback's result, which the caller returns.
   */
  public static final class LocalRollback extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Object result;
    private final boolean newUnit;

    LocalRollback(Object result, boolean newUnit) {
      super("rolled back: the transaction status was set rollback-only", null, false, false);
      this.result = result;
      this.newUnit = newUnit;
    }

    public Object result() {
      return result;
    }

    /** Whether the scope that threw it began its unit (else the unit's owner must end it). */
    public boolean newUnit() {
      return newUnit;
    }
  }

  /** Runs {@code action} in {@code tx}: as the unit's owner, or as a participant. */
  public <T> T run(
      Tx tx, boolean newUnit, TransactionDefinition def, TransactionCallback<T> action) {
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      return participate(def, action);
    }
    List<TransactionSynchronization> bound = new ArrayList<>();
    tx.afterCommit(() -> committed(bound));
    tx.afterRollback(
        () ->
            TransactionSynchronizationUtils.invokeAfterCompletion(
                bound, TransactionSynchronization.STATUS_ROLLED_BACK));
    UnitFlags flags = bind(tx, def);
    try {
      TxguardStatus status = new TxguardStatus(newUnit, true, false);
      T result = action.doInTransaction(status);
      if (status.isLocalRollbackOnly()) {
        throw new LocalRollback(result, newUnit);
      }
      if (flags.rollbackOnly) {
        throw new UnexpectedRollbackException(
            "Transaction '"
                + tx.name()
                + "' rolled back because a method"
                + " that joined it set it rollback-only");
      }
      TransactionSynchronizationUtils.triggerBeforeCommit(def.isReadOnly());
      return result;
    } finally {
      TransactionSynchronizationUtils.triggerBeforeCompletion();
      bound.addAll(TransactionSynchronizationManager.getSynchronizations());
      unbind();
    }
  }

  private static void committed(List<TransactionSynchronization> bound) {
    TransactionSynchronizationUtils.invokeAfterCommit(bound);
    TransactionSynchronizationUtils.invokeAfterCompletion(
        bound, TransactionSynchronization.STATUS_COMMITTED);
  }

  private <T> T participate(TransactionDefinition def, TransactionCallback<T> action) {
    TxguardStatus status = new TxguardStatus(false, true, false);
    T result = action.doInTransaction(status);
    if (status.isLocalRollbackOnly()) {
      UnitFlags flags = (UnitFlags) TransactionSynchronizationManager.getResource(flagsKey);
      if (flags != null) {
        flags.rollbackOnly = true;
      }
    }
    return result;
  }

  /**
   * Runs {@code action} inside a savepoint of {@code tx} (NESTED): synchronizations it registered
   * are dropped when it fails, as its hooks are; {@code setRollbackOnly()} rolls back to the
   * savepoint only.
   */
  public <T> T nested(Tx tx, TransactionDefinition def, TransactionCallback<T> action) {
    if (!TransactionSynchronizationManager.isSynchronizationActive()) {
      return run(
          tx, false, def, action); // a unit opened with db.inTx: this scope owns Spring's state
    }
    List<TransactionSynchronization> before =
        TransactionSynchronizationManager.getSynchronizations();
    boolean ok = false;
    try {
      TxguardStatus status = new TxguardStatus(false, true, true);
      T result = action.doInTransaction(status);
      if (status.isLocalRollbackOnly()) {
        throw new LocalRollback(result, true);
      }
      ok = true;
      return result;
    } finally {
      if (!ok) {
        TransactionSynchronizationManager.clearSynchronization();
        TransactionSynchronizationManager.initSynchronization();
        before.forEach(TransactionSynchronizationManager::registerSynchronization);
      }
    }
  }

  /** Runs {@code action} with no unit (SUPPORTS, NOT_SUPPORTED, NEVER without one). */
  public <T> T none(TransactionCallback<T> action) {
    return action.doInTransaction(new TxguardStatus(false, false, false));
  }

  private UnitFlags bind(Tx tx, TransactionDefinition def) {
    TransactionSynchronizationManager.initSynchronization();
    TransactionSynchronizationManager.setActualTransactionActive(true);
    TransactionSynchronizationManager.setCurrentTransactionName(tx.name());
    TransactionSynchronizationManager.setCurrentTransactionReadOnly(def.isReadOnly());
    if (def.getIsolationLevel() != TransactionDefinition.ISOLATION_DEFAULT) {
      TransactionSynchronizationManager.setCurrentTransactionIsolationLevel(
          def.getIsolationLevel());
    }
    ConnectionHolder holder = new ConnectionHolder(tx.connection());
    holder.setSynchronizedWithTransaction(true);
    TransactionSynchronizationManager.bindResource(dataSource, holder);
    UnitFlags flags = new UnitFlags();
    TransactionSynchronizationManager.bindResource(flagsKey, flags);
    return flags;
  }

  private void unbind() {
    TransactionSynchronizationManager.unbindResourceIfPossible(dataSource);
    TransactionSynchronizationManager.unbindResourceIfPossible(flagsKey);
    TransactionSynchronizationManager.clear();
  }

  /**
   * Runs {@code work} (an independent unit, or work without one) with the caller's Spring state put
   * aside: its synchronizations suspended, its connection holder and flags unbound; all put back
   * afterwards, whatever {@code work} did.
   */
  public <T> T suspending(Supplier<T> work) {
    if (!TransactionSynchronizationManager.isSynchronizationActive()) {
      return work.get();
    }
    Suspended suspended = suspend();
    try {
      return work.get();
    } finally {
      resume(suspended);
    }
  }

  private record Suspended(
      List<TransactionSynchronization> synchronizations,
      Object holder,
      Object flags,
      String name,
      boolean readOnly,
      Integer isolation) {}

  private Suspended suspend() {
    List<TransactionSynchronization> synchronizations =
        TransactionSynchronizationManager.getSynchronizations();
    synchronizations.forEach(TransactionSynchronization::suspend);
    Suspended s =
        new Suspended(
            synchronizations,
            TransactionSynchronizationManager.unbindResourceIfPossible(dataSource),
            TransactionSynchronizationManager.unbindResourceIfPossible(flagsKey),
            TransactionSynchronizationManager.getCurrentTransactionName(),
            TransactionSynchronizationManager.isCurrentTransactionReadOnly(),
            TransactionSynchronizationManager.getCurrentTransactionIsolationLevel());
    TransactionSynchronizationManager.clear();
    return s;
  }

  private void resume(Suspended s) {
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.clear(); // left over by work that failed half-way
    }
    TransactionSynchronizationManager.unbindResourceIfPossible(dataSource);
    TransactionSynchronizationManager.unbindResourceIfPossible(flagsKey);
    TransactionSynchronizationManager.initSynchronization();
    TransactionSynchronizationManager.setActualTransactionActive(true);
    TransactionSynchronizationManager.setCurrentTransactionName(s.name());
    TransactionSynchronizationManager.setCurrentTransactionReadOnly(s.readOnly());
    TransactionSynchronizationManager.setCurrentTransactionIsolationLevel(s.isolation());
    if (s.holder() != null) {
      TransactionSynchronizationManager.bindResource(dataSource, s.holder());
    }
    if (s.flags() != null) {
      TransactionSynchronizationManager.bindResource(flagsKey, s.flags());
    }
    for (TransactionSynchronization sync : s.synchronizations()) {
      sync.resume();
      TransactionSynchronizationManager.registerSynchronization(sync);
    }
  }
}
