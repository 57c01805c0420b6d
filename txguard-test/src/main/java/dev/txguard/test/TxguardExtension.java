package dev.txguard.test;

import dev.txguard.Database;
import dev.txguard.test.spi.QueueSupport;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit 5 extension behind {@link TxguardTest}: before a class's first test it creates a
 * database (or schema) of the class's own on the test server ({@link PostgresServer}: embedded, or
 * {@code TXGUARD_TEST_URL}) and builds a txguard {@link Database} over it; after the class it
 * closes and drops both.
 *
 * <p>Injected as test or lifecycle method parameters, or into fields marked {@link Injected}:
 * {@link Database}, {@link TestDatabase}, {@link FaultInjector}, {@link UnitLog}, and, when
 * txguard-queue is on the class path, a {@code JobQueue} over the database whose schema is migrated
 * (not started: build your own with handlers on the injected {@code Database} to run jobs; it finds
 * the schema ready).
 *
 * <p>Before every test the unit log is cleared and every fault deactivated; after every test the
 * leak check fails the test if it left a unit open, a connection borrowed, a session advisory lock
 * held or a job running (see {@link TxguardTest#leakCheck()}). Test classes of one JVM may run in
 * parallel: each has its own database.
 */
public final class TxguardExtension
    implements BeforeAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        AfterAllCallback,
        ParameterResolver,
        TestInstancePostProcessor {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(TxguardExtension.class);

  /** Created by JUnit through {@link TxguardTest} or {@code @ExtendWith}. */
  public TxguardExtension() {}

  /** Everything a class gets; closed by JUnit when the class's store closes. */
  private record Fixture(
      TestDatabase db, Object queue, QueueSupport support, LeakChecker leaks, TxguardTest settings)
      implements AutoCloseable {
    @Override
    public void close() throws Exception {
      try {
        if (queue instanceof AutoCloseable c) {
          c.close();
        }
      } finally {
        db.close();
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Fixture fixture = fixture(context);
    injectFields(context.getRequiredTestClass(), null, fixture);
  }

  private static Fixture fixture(ExtensionContext context) throws Exception {
    ExtensionContext.Store store = context.getStore(NS);
    Fixture existing = store.get(Fixture.class, Fixture.class);
    if (existing != null) {
      return existing; // a @Nested class shares its enclosing class's database
    }
    TxguardTest settings = settings(context);
    TestDatabase db = TestDatabase.create(settings);
    Object queue = null;
    QueueSupport support = null;
    try {
      support =
          ServiceLoader.load(QueueSupport.class, TxguardExtension.class.getClassLoader())
              .findFirst()
              .orElse(null);
      if (support != null && settings.queue()) {
        queue = support.prepare(db.database(), db.schema().equals("public") ? null : db.schema());
      }
    } catch (RuntimeException | Error e) {
      db.close();
      throw e;
    }
    Fixture fixture = new Fixture(db, queue, support, new LeakChecker(db, support), settings);
    store.put(Fixture.class, fixture);
    return fixture;
  }

  private static TxguardTest settings(ExtensionContext context) {
    for (Optional<Class<?>> c = context.getTestClass();
        c.isPresent();
        c = Optional.ofNullable(c.get().getEnclosingClass())) {
      Optional<TxguardTest> found = AnnotationSupport.findAnnotation(c.get(), TxguardTest.class);
      if (found.isPresent()) {
        return found.get();
      }
    }
    return Defaults.class.getAnnotation(TxguardTest.class);
  }

  /**
   * Carries the default settings for classes registering the extension with {@code @ExtendWith}.
   */
  @TxguardTest
  private static final class Defaults {}

  @Override
  public void postProcessTestInstance(Object testInstance, ExtensionContext context)
      throws Exception {
    injectFields(testInstance.getClass(), testInstance, fixture(context));
  }

  /**
   * Notes what is open before the test (what the class opened in {@code @BeforeAll}: a started
   * queue, a connection): the test is checked only for what it leaves beyond that, and the class
   * for everything after its {@code @AfterAll} methods.
   *
   * @param context JUnit's, for the class's fixture
   * @throws Exception as the baseline's queries raised it
   */
  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    Fixture f = fixture(context);
    f.db().faults().reset();
    f.db().units().clear();
    if (f.settings().leakCheck()) {
      f.leaks().baseline();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Fixture f = fixture(context);
    f.db().faults().reset();
    if (f.settings().leakCheck()) {
      f.leaks().check(f.settings().leakGraceMillis());
    }
  }

  /**
   * Runs after the class's own {@code @AfterAll} methods: whatever the class opened must be closed
   * by now.
   *
   * @param context JUnit's, for the class's fixture
   * @throws Exception as the leak check's queries raised it
   */
  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    Fixture f = fixture(context);
    if (f.settings().leakCheck()) {
      f.leaks().clearBaseline();
      f.leaks().check(f.settings().leakGraceMillis());
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return supports(parameter.getParameter().getType(), context);
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    try {
      return resolve(parameter.getParameter().getType(), fixture(context));
    } catch (Exception e) {
      throw new ExtensionConfigurationException(
          "txguard-test could not set up the test database: " + e, e);
    }
  }

  private static boolean supports(Class<?> type, ExtensionContext context) {
    if (type == Database.class
        || type == TestDatabase.class
        || type == FaultInjector.class
        || type == UnitLog.class) {
      return true;
    }
    QueueSupport support =
        ServiceLoader.load(QueueSupport.class, TxguardExtension.class.getClassLoader())
            .findFirst()
            .orElse(null);
    return support != null && type == support.queueType();
  }

  private static Object resolve(Class<?> type, Fixture f) {
    if (type == Database.class) {
      return f.db().database();
    }
    if (type == TestDatabase.class) {
      return f.db();
    }
    if (type == FaultInjector.class) {
      return f.db().faults();
    }
    if (type == UnitLog.class) {
      return f.db().units();
    }
    if (f.support() != null && type == f.support().queueType()) {
      if (f.queue() == null) {
        throw new ExtensionConfigurationException(
            "a JobQueue was asked for, but @TxguardTest(queue = false) turned the queue off");
      }
      return f.queue();
    }
    throw new ExtensionConfigurationException("txguard-test cannot inject a " + type.getName());
  }

  private static void injectFields(Class<?> type, Object instance, Fixture f)
      throws IllegalAccessException {
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        if (!field.isAnnotationPresent(Injected.class)
            || Modifier.isStatic(field.getModifiers()) == (instance != null)) {
          continue;
        }
        if (Modifier.isFinal(field.getModifiers())) {
          throw new ExtensionConfigurationException(
              "@Injected field "
                  + c.getSimpleName()
                  + "."
                  + field.getName()
                  + " must not be final");
        }
        field.setAccessible(true);
        field.set(instance, resolve(field.getType(), f));
      }
    }
  }
}
