package dev.txguard.spring.internal;

import dev.txguard.Transactions;
import dev.txguard.Tx;
import dev.txguard.spring.TxRetry;
import java.lang.reflect.Method;
import java.util.Optional;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.interceptor.TransactionAttribute;
import org.springframework.transaction.interceptor.TransactionAttributeSource;
import org.springframework.util.ClassUtils;

/**
 * The advice behind {@link TxRetry}: checks the retry rule, then runs the method's transaction as a
 * retried unit whose every attempt calls the rest of the advice chain again (a fresh {@link
 * ProxyMethodInvocation#invocableClone() clone} each time), with the transaction advice inside
 * joining the unit.
 */
public final class TxRetryInterceptor implements MethodInterceptor {
  /**
   * Runs one retried unit; the transaction manager's package-private entry, handed in by the
   * auto-configuration.
   */
  @FunctionalInterface
  public interface RetriedUnit {
    Object run(
        TransactionDefinition def,
        org.springframework.transaction.support.TransactionCallback<Object> work,
        int maxAttempts);
  }

  private final TransactionAttributeSource attributes;
  private final RetriedUnit unit;
  private final int defaultAttempts;

  public TxRetryInterceptor(
      TransactionAttributeSource attributes, RetriedUnit unit, int defaultAttempts) {
    this.attributes = attributes;
    this.unit = unit;
    this.defaultAttempts = defaultAttempts;
  }

  @Override
  public Object invoke(MethodInvocation invocation) throws Throwable {
    Class<?> target =
        invocation.getThis() == null
            ? invocation.getMethod().getDeclaringClass()
            : AopUtils.getTargetClass(invocation.getThis());
    Method method = AopUtils.getMostSpecificMethod(invocation.getMethod(), target);
    String where = ClassUtils.getQualifiedMethodName(method, target);
    TransactionAttribute attribute =
        attributes.getTransactionAttribute(invocation.getMethod(), target);
    int attempts = check(where, attribute, find(method, target));
    if (!(invocation instanceof ProxyMethodInvocation proxied)) {
      throw new IllegalStateException(
          "@TxRetry on " + where + " needs a Spring AOP proxy call, was " + invocation);
    }
    Throwable[] committedWith = new Throwable[1];
    Object result;
    try {
      result = unit.run(attribute, status -> once(proxied, attribute, committedWith), attempts);
    } catch (Rethrown e) {
      throw e.getCause();
    }
    if (committedWith[0] != null) {
      throw committedWith[
          0]; // a checked exception Spring's rules commit on, as the method threw it
    }
    return result;
  }

  private static TxRetry find(Method method, Class<?> target) {
    TxRetry retry = AnnotatedElementUtils.findMergedAnnotation(method, TxRetry.class);
    return retry != null
        ? retry
        : AnnotatedElementUtils.findMergedAnnotation(target, TxRetry.class);
  }

  /** The attempts to allow, or the reason the rule refuses this call. */
  int check(String where, TransactionAttribute attribute, TxRetry retry) {
    if (attribute == null) {
      throw new IllegalStateException(
          "@TxRetry on "
              + where
              + " needs @Transactional on the same method or its"
              + " class: @TxRetry reruns the method's own transaction, and it has none");
    }
    if (attribute.getPropagationBehavior() != TransactionDefinition.PROPAGATION_REQUIRED) {
      throw new IllegalStateException(
          "@TxRetry on "
              + where
              + " needs propagation REQUIRED (the transaction"
              + " begins at this method, so it can be rerun whole), was "
              + propagation(attribute));
    }
    Optional<Tx> open = Transactions.current();
    if (open.isPresent()) {
      throw new IllegalStateException(
          "@TxRetry on "
              + where
              + " is not at the outermost transactional boundary:"
              + " unit '"
              + open.get().name()
              + "' is already open on this thread, and rerunning "
              + where
              + " would rerun only part of it. Put @TxRetry on the method that begins the transaction instead");
    }
    int attempts =
        retry == null || retry.maxAttempts() == 0 ? defaultAttempts : retry.maxAttempts();
    if (attempts < 2 || attempts > 100) {
      throw new IllegalStateException(
          "@TxRetry(maxAttempts) on " + where + " must be from 2 to 100, was " + attempts);
    }
    return attempts;
  }

  private static String propagation(TransactionAttribute attribute) {
    return switch (attribute.getPropagationBehavior()) {
      case TransactionDefinition.PROPAGATION_SUPPORTS -> "SUPPORTS";
      case TransactionDefinition.PROPAGATION_MANDATORY -> "MANDATORY";
      case TransactionDefinition.PROPAGATION_REQUIRES_NEW -> "REQUIRES_NEW";
      case TransactionDefinition.PROPAGATION_NOT_SUPPORTED -> "NOT_SUPPORTED";
      case TransactionDefinition.PROPAGATION_NEVER -> "NEVER";
      case TransactionDefinition.PROPAGATION_NESTED -> "NESTED";
      default -> String.valueOf(attribute.getPropagationBehavior());
    };
  }

  /** One attempt: the rest of the chain, with Spring's rule for exceptions that commit. */
  private static Object once(
      ProxyMethodInvocation invocation, TransactionAttribute attribute, Throwable[] committedWith) {
    committedWith[0] = null;
    try {
      return invocation.invocableClone().proceed();
    } catch (RuntimeException | Error e) {
      if (attribute.rollbackOn(e)) {
        throw e;
      }
      committedWith[0] = e;
      return null;
    } catch (Throwable e) {
      if (attribute.rollbackOn(e)) {
        throw new Rethrown(e); // keeps the cause chain, so a 40001 inside is still seen and retried
      }
      committedWith[0] = e;
      return null;
    }
  }

  /** Carries a checked exception out of the unit's callback. */
  static final class Rethrown extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Rethrown(Throwable cause) {
      super(cause.toString(), cause, false, false);
    }
  }
}
