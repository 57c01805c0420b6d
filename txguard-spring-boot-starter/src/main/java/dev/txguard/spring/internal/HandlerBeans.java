package dev.txguard.spring.internal;

import dev.txguard.queue.JobHandler;
import dev.txguard.queue.JobQueue;
import dev.txguard.queue.TransactionalHandler;
import dev.txguard.spring.JobKind;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;

/**
 * Registers the {@link JobKind} beans as handlers. The beans are looked up when a job runs, not
 * when the queue is built, so a handler may itself depend on the queue (to enqueue follow-ups).
 */
public final class HandlerBeans {
  private HandlerBeans() {}

  /**
   * Registers every {@code @JobKind} bean of {@code beans} on {@code builder}.
   *
   * @return how many were registered
   * @throws IllegalStateException naming the bean when it implements neither handler interface or
   *     its arguments' type cannot be read
   */
  public static int register(JobQueue.Builder builder, ListableBeanFactory beans) {
    String[] names = beans.getBeanNamesForAnnotation(JobKind.class);
    for (String name : names) {
      register(builder, beans, name);
    }
    return names.length;
  }

  private static void register(JobQueue.Builder builder, ListableBeanFactory beans, String name) {
    Class<?> type = ClassUtils.getUserClass(beans.getType(name));
    String kind = beans.findAnnotationOnBean(name, JobKind.class).value();
    if (JobHandler.class.isAssignableFrom(type)) {
      plain(builder, beans, name, kind, argsType(name, type, JobHandler.class));
    } else if (TransactionalHandler.class.isAssignableFrom(type)) {
      inTx(builder, beans, name, kind, argsType(name, type, TransactionalHandler.class));
    } else {
      throw new IllegalStateException(
          "bean '"
              + name
              + "' ("
              + type.getName()
              + ") has @JobKind(\""
              + kind
              + "\") but implements neither JobHandler<A> nor TransactionalHandler<A>: implement one of them");
    }
  }

  @SuppressWarnings("unchecked")
  private static <A> void plain(
      JobQueue.Builder builder,
      ListableBeanFactory beans,
      String name,
      String kind,
      Class<A> args) {
    try {
      builder.handle(kind, args, job -> ((JobHandler<A>) beans.getBean(name)).handle(job));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "bean '" + name + "' cannot handle job kind '" + kind + "': " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <A> void inTx(
      JobQueue.Builder builder,
      ListableBeanFactory beans,
      String name,
      String kind,
      Class<A> args) {
    try {
      builder.handleInTx(
          kind, args, (tx, job) -> ((TransactionalHandler<A>) beans.getBean(name)).handle(tx, job));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "bean '" + name + "' cannot handle job kind '" + kind + "': " + e.getMessage(), e);
    }
  }

  private static Class<?> argsType(String name, Class<?> type, Class<?> handlerInterface) {
    Class<?> args = ResolvableType.forClass(type).as(handlerInterface).resolveGeneric(0);
    if (args == null || args == Object.class) {
      throw new IllegalStateException(
          "bean '"
              + name
              + "' ("
              + type.getName()
              + ") is a @JobKind handler whose"
              + " arguments' type cannot be read: declare it on the class, e.g. class "
              + type.getSimpleName()
              + " implements "
              + handlerInterface.getSimpleName()
              + "<MyArgs>");
    }
    return args;
  }
}
