package dev.txguard.spring;

import dev.txguard.Database;
import dev.txguard.Isolation;
import dev.txguard.Transactions;
import dev.txguard.Tx;
import dev.txguard.TxOptions;
import dev.txguard.spring.internal.SpringScope;
import dev.txguard.spring.internal.SpringScope.LocalRollback;
import java.time.Duration;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.interceptor.DefaultTransactionAttribute;
import org.springframework.transaction.support.CallbackPreferringPlatformTransactionManager;
import org.springframework.transaction.support.TransactionCallback;

/**
 * A Spring transaction manager whose transactions are txguard units, so {@code @Transactional}
 * methods and {@code TransactionTemplate} get what {@code db.inTx} guarantees. It is
 * callback-preferring: Spring's transaction interceptor and {@code TransactionTemplate} hand it the
 * whole method as a callback, which runs inside {@code db.inTx} / {@code db.inNewTx}.
 *
 * <table>
 *   <caption>Spring settings and what they become</caption>
 *   <tr><th>Spring</th><th>txguard</th></tr>
 *   <tr><td>{@code REQUIRED}</td><td>{@code db.inTx}: joins the thread's unit, or begins one</td></tr>
 *   <tr><td>{@code REQUIRES_NEW}</td><td>{@code db.inNewTx}: an independent unit one pool level up,
 *       so it never waits for the connection its caller holds (no deadlock with a pool of one)</td></tr>
 *   <tr><td>{@code NESTED}</td><td>{@code tx.savepoint(...)} inside a unit, else as {@code REQUIRED}</td></tr>
 *   <tr><td>{@code SUPPORTS}, {@code MANDATORY}, {@code NEVER}</td><td>join / fail / run without a
 *       unit, as Spring documents them</td></tr>
 *   <tr><td>{@code NOT_SUPPORTED}</td><td>{@code db.isolated(...)}: no unit, one level up</td></tr>
 *   <tr><td>{@code isolation}</td><td>{@link TxOptions#isolation}; {@code DEFAULT} takes
 *       {@code txguard.default-isolation}; {@code READ_UNCOMMITTED} runs as {@code READ_COMMITTED},
 *       which is what PostgreSQL does with it (manual, "Transaction Isolation")</td></tr>
 *   <tr><td>{@code readOnly}</td><td>{@link TxOptions#readOnly}</td></tr>
 *   <tr><td>{@code timeout} (seconds)</td><td>{@link TxOptions#timeout}, a deadline for the unit;
 *       none given takes {@code txguard.default-timeout}</td></tr>
 *   <tr><td>the method's name</td><td>{@link TxOptions#name}, in logs, metrics and leak reports</td></tr>
 *   <tr><td>{@code TransactionSynchronization}</td><td>bound to the unit: {@code beforeCommit} and
 *       {@code beforeCompletion} when the outermost method returns, {@code afterCommit} and
 *       {@code afterCompletion} as {@code tx.afterCommit} / {@code tx.afterRollback} hooks, so once
 *       and only after the unit really committed (never for a retried attempt)</td></tr>
 * </table>
 *
 * <p>A {@code @Transactional} unit is not retried (a rerun would skip the advice around the
 * method); put {@link TxRetry} on the outermost method for that. JDBC code going through Spring's
 * {@code DataSourceUtils} ({@code JdbcTemplate}, {@code JdbcClient}, jOOQ's Spring integration) on
 * {@code db.dataSource()} gets the unit's connection. The aborted-transaction rule holds: an SQL
 * error caught and swallowed inside the method makes the method fail with {@link
 * dev.txguard.TransactionAbortedException} instead of committing. A participating method that
 * throws, or calls {@code setRollbackOnly()}, dooms the whole unit: its outermost method then fails
 * (Spring's {@code UnexpectedRollbackException} for {@code setRollbackOnly()}).
 *
 * <p>Not supported: the imperative {@link #getTransaction}, {@link #commit} and {@link #rollback}
 * (they fail with {@link IllegalTransactionStateException}: use a callback, or {@code
 * db.begin(...)}), and savepoints taken through {@code TransactionStatus.createSavepoint()} (use
 * {@code NESTED}). Thread-safe: one instance serves the application.
 */
public final class TxguardTransactionManager
    implements CallbackPreferringPlatformTransactionManager {
  private final Database db;
  private final TxOptions defaults;
  private final SpringScope scope;

  /**
   * Creates a manager over {@code db}.
   *
   * @param db the database whose units the transactions become
   * @param defaults the options for what {@code @Transactional} leaves to the default (isolation
   *     {@code DEFAULT}, no timeout); their name and attempts are replaced per method
   * @throws IllegalArgumentException if either is null
   */
  public TxguardTransactionManager(Database db, TxOptions defaults) {
    if (db == null || defaults == null) {
      throw new IllegalArgumentException(
          "db and defaults must not be null, were " + db + ", " + defaults);
    }
    this.db = db;
    this.defaults = defaults;
    this.scope = new SpringScope(db.dataSource());
  }

  /**
   * The database whose units this manager runs.
   *
   * @return the database given to the constructor
   */
  public Database database() {
    return db;
  }

  /**
   * Runs {@code action} as the propagation of {@code definition} says (see the class description).
   *
   * @param <T> the type of the action's result
   * @param definition propagation, isolation, read-only, timeout and name; null for the defaults
   * @param action the transaction's body; what its status's {@code setRollbackOnly()} does is in
   *     the class description
   * @return what {@code action} returned, also when it only marked its own unit rollback-only (the
   *     unit is rolled back then, as with Spring's own managers)
   * @throws IllegalTransactionStateException for {@code MANDATORY} without a unit, or {@code NEVER}
   *     inside one
   * @throws RuntimeException what {@code action} threw, or txguard's failure of the unit ({@link
   *     dev.txguard.TransactionAbortedException}, {@link dev.txguard.TxTimeoutException}, {@link
   *     dev.txguard.PoolExhaustedException}, ...), unchanged
   */
  @Override
  public <T> T execute(TransactionDefinition definition, TransactionCallback<T> action)
      throws TransactionException {
    TransactionDefinition def =
        definition == null ? TransactionDefinition.withDefaults() : definition;
    boolean inUnit = Transactions.current().isPresent();
    return switch (def.getPropagationBehavior()) {
      case TransactionDefinition.PROPAGATION_REQUIRES_NEW ->
          scope.suspending(() -> inUnit(def, action, true, 1));
      case TransactionDefinition.PROPAGATION_NESTED ->
          inUnit ? nested(def, action) : inUnit(def, action, false, 1);
      case TransactionDefinition.PROPAGATION_SUPPORTS ->
          inUnit ? inUnit(def, action, false, 1) : scope.none(action);
      case TransactionDefinition.PROPAGATION_MANDATORY -> {
        if (!inUnit) {
          throw new IllegalTransactionStateException(
              "'"
                  + name(def)
                  + "' has propagation MANDATORY but no"
                  + " transaction is open on this thread: call it from a @Transactional method or inside db.inTx");
        }
        yield inUnit(def, action, false, 1);
      }
      case TransactionDefinition.PROPAGATION_NOT_SUPPORTED ->
          inUnit ? scope.suspending(() -> isolated(action)) : scope.none(action);
      case TransactionDefinition.PROPAGATION_NEVER -> {
        if (inUnit) {
          throw new IllegalTransactionStateException(
              "'"
                  + name(def)
                  + "' has propagation NEVER but unit '"
                  + Transactions.current().map(Tx::name).orElse("?")
                  + "' is open on this thread");
        }
        yield scope.none(action);
      }
      default -> inUnit(def, action, false, 1);
    };
  }

  /**
   * Runs {@code action} in a unit retried up to {@code maxAttempts} times; what {@link TxRetry}
   * uses. Package-private: the retry rule is checked by the caller.
   */
  <T> T inUnit(
      TransactionDefinition def,
      TransactionCallback<T> action,
      boolean independent,
      int maxAttempts) {
    TxOptions options = options(def).maxAttempts(maxAttempts);
    Tx before = Transactions.current().orElse(null);
    try {
      return independent
          ? db.inNewTx(options, tx -> scope.run(tx, true, def, action))
          : db.inTx(options, tx -> scope.run(tx, tx != before, def, action));
    } catch (LocalRollback rollback) {
      if (!rollback.newUnit()) {
        throw rollback; // a joined scope: the unit's owner (a @TxRetry boundary) ends it
      }
      @SuppressWarnings("unchecked")
      T result = (T) rollback.result();
      return result;
    }
  }

  private <T> T nested(TransactionDefinition def, TransactionCallback<T> action) {
    Tx tx = Transactions.current().orElseThrow();
    try {
      return tx.savepoint(t -> scope.nested(t, def, action));
    } catch (LocalRollback rollback) {
      @SuppressWarnings("unchecked")
      T result = (T) rollback.result();
      return result;
    }
  }

  private <T> T isolated(TransactionCallback<T> action) {
    try {
      return db.isolated(() -> scope.none(action));
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(
          "NOT_SUPPORTED work failed: " + e, e); // callbacks throw no checked exceptions
    }
  }

  /** The txguard options of {@code def}: isolation, read-only, timeout and name; one attempt. */
  TxOptions options(TransactionDefinition def) {
    TxOptions options = defaults.name(name(def)).readOnly(def.isReadOnly()).maxAttempts(1);
    options =
        switch (def.getIsolationLevel()) {
          case TransactionDefinition.ISOLATION_DEFAULT -> options;
          case TransactionDefinition.ISOLATION_REPEATABLE_READ ->
              options.isolation(Isolation.REPEATABLE_READ);
          case TransactionDefinition.ISOLATION_SERIALIZABLE ->
              options.isolation(Isolation.SERIALIZABLE);
          default ->
              options.isolation(
                  Isolation.READ_COMMITTED); // READ_UNCOMMITTED is READ COMMITTED in PostgreSQL
        };
    if (def.getTimeout() > 0) {
      options = options.timeout(Duration.ofSeconds(def.getTimeout()));
    }
    return options;
  }

  static String name(TransactionDefinition def) {
    String name = def.getName();
    if ((name == null || name.isBlank()) && def instanceof DefaultTransactionAttribute attribute) {
      name = attribute.getDescriptor();
    }
    return name == null || name.isBlank() ? "spring-tx" : name;
  }

  /**
   * Not supported: txguard units run as callbacks.
   *
   * @param definition not used
   * @return never
   * @throws IllegalTransactionStateException always, saying what to use instead
   */
  @Override
  public TransactionStatus getTransaction(TransactionDefinition definition) {
    throw imperative("getTransaction");
  }

  /**
   * Not supported: txguard units run as callbacks.
   *
   * @param status not used
   * @throws IllegalTransactionStateException always
   */
  @Override
  public void commit(TransactionStatus status) {
    throw imperative("commit");
  }

  /**
   * Not supported: txguard units run as callbacks.
   *
   * @param status not used
   * @throws IllegalTransactionStateException always
   */
  @Override
  public void rollback(TransactionStatus status) {
    throw imperative("rollback");
  }

  private static IllegalTransactionStateException imperative(String method) {
    return new IllegalTransactionStateException(
        "TxguardTransactionManager."
            + method
            + "(...) is not supported:"
            + " txguard runs transactions as callbacks. Use @Transactional or TransactionTemplate.execute(...), or"
            + " Database.begin(...) for a unit begun and ended by hand");
  }

  @Override
  public String toString() {
    return "TxguardTransactionManager[" + db + "]";
  }
}
