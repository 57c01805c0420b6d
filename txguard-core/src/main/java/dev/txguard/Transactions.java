package dev.txguard;

import dev.txguard.internal.ThreadContext;
import java.util.Optional;

/**
 * Static access to the calling thread's unit, for code far from any {@link Tx} parameter: a
 * side-effect guard and after-commit scheduling.
 *
 * <p>Put {@link #assertNoTransaction(String)} at the door of every side effect that a rollback
 * cannot undo:
 *
 * <pre>{@code
 * // an HTTP client
 * HttpResponse<String> send(HttpRequest request) {
 *   Transactions.assertNoTransaction("HTTP " + request.method() + " " + request.uri());
 *   return http.send(request, BodyHandlers.ofString());
 * }
 * // a mailer
 * void send(Mail mail) {
 *   Transactions.assertNoTransaction("sending e-mail to " + mail.to());
 *   smtp.send(mail);
 * }
 * // a message producer: publish only once the data it announces is committed
 * void publish(Event e) {
 *   Transactions.afterCommitOrNow(() -> producer.send(e));
 * }
 * }</pre>
 *
 * <p>Only callback units ({@code inTx}, {@code useTx}, {@code inNewTx}) are the thread's current
 * unit; a manual {@link TxHandle} is not.
 */
public final class Transactions {
  private Transactions() {}

  /**
   * The innermost unit running on the calling thread, of any database; a database's units are not
   * current inside its {@link Database#isolated isolated} work or tasks wrapped by its {@link
   * Database#context() context}.
   *
   * @return the unit's {@code Tx}, or empty outside every unit
   */
  public static Optional<Tx> current() {
    return Optional.ofNullable(ThreadContext.get().innermost());
  }

  /**
   * Throws when a unit is open on the calling thread.
   *
   * @param what the side effect, for the message, e.g. {@code "sending e-mail"}
   * @throws SideEffectInTransactionException naming {@code what} and the open unit
   * @throws IllegalArgumentException if {@code what} is null or blank
   */
  public static void assertNoTransaction(String what) {
    if (what == null || what.isBlank()) {
      throw new IllegalArgumentException("what must name the side effect, was " + what);
    }
    Tx tx = ThreadContext.get().innermost();
    if (tx != null) {
      throw new SideEffectInTransactionException(
          what
              + " must not run inside a transaction, but unit '"
              + tx.name()
              + "' (attempt "
              + tx.attempt()
              + ") is open on this thread: it may still roll back or"
              + " run again after the side effect happened. Move the call after the unit, or register it"
              + " with tx.afterCommit(...)");
    }
  }

  /**
   * Runs {@code action} after the calling thread's current unit commits, or at once when no unit is
   * open.
   *
   * @param action run once: after the commit, on the thread that ended the unit, or now on the
   *     calling thread
   * @throws IllegalArgumentException if {@code action} is null
   */
  public static void afterCommitOrNow(Runnable action) {
    if (action == null) {
      throw new IllegalArgumentException("action must not be null");
    }
    Tx tx = ThreadContext.get().innermost();
    if (tx == null) {
      action.run();
    } else {
      tx.afterCommit(action);
    }
  }
}
