package dev.txguard.spring.internal;

import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

/**
 * Creates its delegate on the first call, so an advisor bean needs no other bean while the context
 * is still creating its post-processors.
 */
public final class LazyInterceptor implements MethodInterceptor {
  private final Supplier<MethodInterceptor> factory;
  private volatile MethodInterceptor delegate;

  public LazyInterceptor(Supplier<MethodInterceptor> factory) {
    this.factory = factory;
  }

  @Override
  public Object invoke(MethodInvocation invocation) throws Throwable {
    MethodInterceptor d = delegate;
    if (d == null) {
      synchronized (this) {
        d = delegate;
        if (d == null) {
          d = factory.get();
          delegate = d;
        }
      }
    }
    return d.invoke(invocation);
  }
}
