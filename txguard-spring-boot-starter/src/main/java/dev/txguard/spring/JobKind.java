package dev.txguard.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Registers a bean as the handler of one job kind on the auto-configured {@link
 * dev.txguard.queue.JobQueue}. The bean implements {@link dev.txguard.queue.JobHandler
 * JobHandler&lt;A&gt;} (runs outside a transaction) or {@link
 * dev.txguard.queue.TransactionalHandler TransactionalHandler&lt;A&gt;} (runs in the unit that
 * completes the job); the arguments' type {@code A} is read from the class's generic declaration,
 * so declare it there ({@code class SendInvoice implements JobHandler<InvoiceArgs>}), not in a
 * lambda.
 *
 * <pre>{@code
 * @Component
 * @JobKind("send-invoice")
 * class SendInvoice implements TransactionalHandler<InvoiceArgs> {
 *   public Object handle(Tx tx, JobContext<InvoiceArgs> job) { ... }
 * }
 * }</pre>
 *
 * <p>A bean with this annotation that implements neither interface, whose {@code A} cannot be read,
 * or whose kind is taken fails the start with a message naming the bean.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface JobKind {
  /**
   * The kind's stable name, stored with each job (1 to 128 letters, digits, {@code _ . : -}).
   *
   * @return the kind's name, as {@code JobQueue.Builder.handle} takes it
   */
  String value();
}
