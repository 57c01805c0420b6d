package dev.txguard.cli.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.txguard.Database;
import dev.txguard.StatementException;
import dev.txguard.TransactionAbortedException;
import dev.txguard.Tx;
import dev.txguard.TxListener;
import dev.txguard.TxOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Story 4: parallel import tasks, each in one transaction, create the categories their products
 * need on first use. Naive: check-then-insert, and the unique violation of a racing insert is
 * caught and ignored; PostgreSQL has already aborted the transaction, every later statement fails
 * with "current transaction is aborted", and the task's products are lost at COMMIT. With txguard:
 * one unit per task, categories inserted-or-got ({@code tx.insertOrGet}, in one sorted order so
 * racing tasks cannot deadlock); the same swallowed error inside a unit is surfaced at once with
 * its real cause instead of being lost; caught inside {@code tx.savepoint} it leaves the unit
 * usable; and "cancel" waits for running imports through a session advisory lock (shared per
 * import, exclusive for cancel), not through row locks inside the imports' transactions.
 */
final class AbortedImportStory implements Story {
  static final int TASKS = 4;
  static final int PRODUCTS_PER_TASK = 25;
  private static final List<String> CATEGORIES =
      List.of("audio", "books", "cameras", "garden", "kitchen", "lighting", "outdoor", "toys");
  private static final Duration TASK_WAIT = Duration.ofSeconds(30);
  private static final Duration PER_PRODUCT = Duration.ofMillis(3);

  /** The advisory-lock key of the import: shared by each running task, exclusive for cancel. */
  private static final String IMPORT_KEY = "demo-import:catalog";

  private static final TxOptions UNIT =
      TxOptions.defaults().name("import-task").timeout(Duration.ofSeconds(20));

  @Override
  public int number() {
    return 4;
  }

  @Override
  public String id() {
    return "aborted-import";
  }

  @Override
  public String title() {
    return "Swallowed errors in an aborted PostgreSQL transaction";
  }

  @Override
  public String description() {
    return TASKS
        + " parallel tasks import "
        + PRODUCTS_PER_TASK
        + " products each, creating their "
        + CATEGORIES.size()
        + " shared categories on first use, so tasks race on the same category."
        + " Counts products lost and whether the real error (the unique violation) was ever seen.";
  }

  /** One product to import. */
  record Product(String sku, String category) {}

  @Override
  public Measurement run(Variant variant, StoryContext context) throws Exception {
    context.runScript("aborted-import.sql");
    List<List<Product>> batches = plan(context.random());
    TaskLog log = new TaskLog();
    if (variant == Variant.NAIVE) {
      importNaive(context, batches, log);
      return measure(variant, context, log, "", false, "");
    }
    return importWithTxguard(context, batches, log);
  }

  private static List<List<Product>> plan(Random random) {
    List<List<Product>> batches = new ArrayList<>();
    for (int t = 0; t < TASKS; t++) {
      List<Product> batch = new ArrayList<>();
      for (int p = 0; p < PRODUCTS_PER_TASK; p++) {
        batch.add(
            new Product("T" + t + "-" + p, CATEGORIES.get(random.nextInt(CATEGORIES.size()))));
      }
      batches.add(batch);
    }
    return batches;
  }

  /** What the tasks saw, counted across threads. */
  static final class TaskLog {
    final AtomicInteger swallowed = new AtomicInteger();
    final AtomicInteger skipped = new AtomicInteger();
    final AtomicInteger failedTasks = new AtomicInteger();
    final AtomicInteger retries = new AtomicInteger();
    final List<String> errors = Collections.synchronizedList(new ArrayList<>());
  }

  /**
   * The per-product work an importer does besides SQL (parsing, validating, asking a supplier's
   * API), the same in both variants. It keeps the tasks' transactions open long enough to overlap,
   * as real imports do; without it the first task can finish before the next one starts.
   */
  private static void prepare(Product p) {
    try {
      Thread.sleep(PER_PRODUCT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while preparing " + p.sku(), e);
    }
  }

  /** Starts every task at once (the race is the point) and waits, bounded, for all of them. */
  private static void runTasks(List<List<Product>> batches, TaskBody body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(TASKS);
    try {
      CyclicBarrier start = new CyclicBarrier(TASKS);
      List<Future<?>> tasks = new ArrayList<>();
      for (List<Product> batch : batches) {
        tasks.add(
            pool.submit(
                () -> {
                  start.await(TASK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                  body.run(batch);
                  return null;
                }));
      }
      for (Future<?> f : tasks) {
        f.get(TASK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @FunctionalInterface
  interface TaskBody {
    void run(List<Product> batch) throws Exception;
  }

  // ---- naive ------------------------------------------------------------------------------------

  private static void importNaive(StoryContext context, List<List<Product>> batches, TaskLog log)
      throws Exception {
    try (HikariDataSource ds =
        context.plainPool("aborted-import", TASKS, Duration.ofSeconds(5), false)) {
      runTasks(batches, batch -> naiveTask(ds, batch, log));
    }
  }

  /** The original task: errors on single items are logged and skipped, then the batch commits. */
  private static void naiveTask(HikariDataSource ds, List<Product> batch, TaskLog log)
      throws SQLException {
    try (Connection c = ds.getConnection()) {
      for (Product p : batch) {
        prepare(p);
        try {
          if (Jdbc.longs(c, "select id from ai_category where name = ?", p.category()).isEmpty()) {
            try {
              Jdbc.update(c, "insert into ai_category (name) values (?)", p.category());
            } catch (SQLException e) {
              // "another task created it meanwhile": ignored, as in the original
              log.swallowed.incrementAndGet();
              log.errors.add("swallowed: " + DemoServer.firstLine(e));
            }
          }
          Jdbc.update(
              c,
              "insert into ai_product (sku, category_id) select ?, id from ai_category where name = ?",
              p.sku(),
              p.category());
        } catch (SQLException e) {
          log.skipped.incrementAndGet();
          log.errors.add("skipped product " + p.sku() + ": " + DemoServer.firstLine(e));
        }
      }
      try {
        c.commit();
      } catch (SQLException e) {
        log.failedTasks.incrementAndGet();
        log.errors.add("commit: " + DemoServer.firstLine(e));
        c.rollback();
      }
    }
  }

  // ---- txguard ----------------------------------------------------------------------------------

  private Measurement importWithTxguard(
      StoryContext context, List<List<Product>> batches, TaskLog log) throws Exception {
    TxListener retries =
        new TxListener() {
          @Override
          public void onRetry(String name, int nextAttempt, Throwable cause, Duration delay) {
            log.retries.incrementAndGet();
          }
        };
    ExecutorService canceller = Executors.newSingleThreadExecutor();
    try (Database db = context.database().poolSize(TASKS + 1).listener(retries).build()) {
      Imports imports = new Imports();
      Future<String> cancel = canceller.submit(() -> cancelAndWait(db, imports));
      runTasks(
          batches,
          batch -> {
            try {
              db.locks()
                  .withShared(
                      IMPORT_KEY,
                      TASK_WAIT,
                      () -> imports.run(() -> db.useTx(UNIT, tx -> txguardTask(tx, batch))));
            } catch (RuntimeException e) {
              log.failedTasks.incrementAndGet();
              log.errors.add("task failed: " + e.getMessage());
            }
          });
      String cancelled = cancel.get(TASK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      String existing = batches.get(0).get(0).category();
      String surfaced = swallowInsideUnit(db, existing);
      boolean recovered = recoverWithSavepoint(db, existing, context);
      return measure(Variant.TXGUARD, context, log, surfaced, recovered, cancelled);
    } finally {
      canceller.shutdownNow();
    }
  }

  /** Running imports, counted while each holds the import's shared advisory lock. */
  static final class Imports {
    final AtomicInteger running = new AtomicInteger();
    final CountDownLatch started = new CountDownLatch(1);

    Void run(Runnable work) {
      running.incrementAndGet();
      started.countDown();
      try {
        work.run();
      } finally {
        running.decrementAndGet();
      }
      return null;
    }
  }

  /**
   * "Cancel" as the story's author built it: once imports run, take the import's key exclusively
   * (bounded wait), which is granted only when every running import has released its shared lock.
   * Returns what it saw, or "" when it was granted while an import still ran (the guarantee
   * broken).
   */
  private static String cancelAndWait(Database db, Imports imports) throws InterruptedException {
    if (!imports.started.await(TASK_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      return "no import started";
    }
    int runningWhenAsked = imports.running.get();
    long start = System.nanoTime();
    int runningWhenGranted = db.locks().withExclusive(IMPORT_KEY, TASK_WAIT, imports.running::get);
    long waited = (System.nanoTime() - start) / 1_000_000;
    return runningWhenGranted != 0
        ? ""
        : "cancel came while "
            + runningWhenAsked
            + " import(s) ran and waited "
            + waited
            + " ms until none did (advisory lock: shared per import, exclusive for cancel)";
  }

  /**
   * The task with txguard: categories first, in sorted order, each inserted or got; then products.
   */
  private static void txguardTask(Tx tx, List<Product> batch) {
    for (String category : new TreeSet<>(batch.stream().map(Product::category).toList())) {
      insertOrGetCategory(tx, category);
    }
    for (Product p : batch) {
      prepare(p);
      insertProduct(tx, p);
    }
  }

  private static long insertOrGetCategory(Tx tx, String name) {
    return tx.insertOrGet("ai_category", Map.of("name", name), Map.of(), "id", rs -> rs.getLong(1));
  }

  /**
   * The naive mistake made inside a txguard unit: insert an existing category, catch and ignore the
   * unique violation, go on. Returns what the unit reported, or "" if it (wrongly) committed.
   */
  private static String swallowInsideUnit(Database db, String existingCategory) {
    try {
      db.useTx(
          UNIT.name("import-swallowing-error"),
          tx -> {
            try {
              tx.update("insert into ai_category (name) values (?)", existingCategory);
            } catch (StatementException e) {
              // the original mistake: "it already exists, never mind"
            }
            insertProduct(tx, new Product("late-1", existingCategory));
          });
      return "";
    } catch (TransactionAbortedException e) {
      return "the next statement failed at once with TransactionAbortedException, caused by "
          + (e.getCause() == null ? "nothing (!)" : DemoServer.firstLine(e.getCause()));
    }
  }

  /**
   * The same expected error, caught the safe way: inside a savepoint. Returns whether the product
   * committed.
   */
  private static boolean recoverWithSavepoint(
      Database db, String existingCategory, StoryContext context) throws SQLException {
    db.useTx(
        UNIT.name("import-with-savepoint"),
        tx -> {
          try {
            tx.savepoint(
                step -> step.update("insert into ai_category (name) values (?)", existingCategory));
          } catch (StatementException e) {
            // expected: the category exists; the savepoint rolled back only this step
          }
          insertProduct(tx, new Product("late-2", existingCategory));
        });
    return context.queryLong("select count(*) from ai_product where sku = 'late-2'") == 1;
  }

  private static void insertProduct(Tx tx, Product p) {
    tx.update(
        "insert into ai_product (sku, category_id) select ?, id from ai_category where name = ?",
        p.sku(),
        p.category());
  }

  private Measurement measure(
      Variant variant,
      StoryContext context,
      TaskLog log,
      String surfaced,
      boolean recovered,
      String cancelled)
      throws SQLException {
    int expected = TASKS * PRODUCTS_PER_TASK;
    long imported = context.queryLong("select count(*) from ai_product where sku like 'T%'");
    long lost = expected - imported;
    long abortedErrors =
        log.errors.stream().filter(e -> e.contains("current transaction is aborted")).count();
    long realCause =
        log.errors.stream()
            .filter(e -> e.contains("duplicate key") || e.contains("deadlock"))
            .count();
    boolean fault = lost > 0;
    String brief = lost + " of " + expected + " products lost";
    String detail;
    if (variant == Variant.NAIVE) {
      detail =
          Plural.of(log.swallowed.get(), "error")
              + " swallowed (unique violation or deadlock); then "
              + Plural.of(abortedErrors, "statement")
              + " failed with \"current transaction is aborted\", far from the cause; "
              + (TASKS - log.failedTasks.get())
              + " of "
              + TASKS
              + " commits reported success, yet "
              + lost
              + " of "
              + expected
              + " products were lost"
              + (log.errors.isEmpty() ? "" : " (first error: " + log.errors.get(0) + ")");
    } else {
      detail =
          imported
              + " of "
              + expected
              + " products imported, "
              + lost
              + " lost, "
              + log.retries.get()
              + (log.retries.get() == 1 ? " retry, " : " retries, ")
              + Plural.of(log.failedTasks.get(), "task")
              + " failed; the naive swallow inside a unit: "
              + (surfaced.isEmpty() ? "NOT surfaced" : surfaced)
              + "; the same error caught in tx.savepoint(...): "
              + (recovered ? "the unit went on and committed" : "the unit did NOT commit")
              + "; "
              + (cancelled.isEmpty() ? "cancel did NOT wait for running imports" : cancelled);
      fault = fault || surfaced.isEmpty() || !recovered || cancelled.isEmpty();
    }
    return Measurement.collect()
        .put("products", expected)
        .put("imported", imported)
        .put("productsLost", lost)
        .put("errorsSwallowed", log.swallowed.get())
        .put("abortedTransactionErrors", abortedErrors)
        .put("errorsNamingRealCause", realCause)
        .put("tasksFailed", log.failedTasks.get())
        .put("retries", log.retries.get())
        .put("swallowedErrorSurfaced", variant == Variant.NAIVE ? 0 : surfaced.isEmpty() ? 0 : 1)
        .put("savepointRecovered", recovered ? 1 : 0)
        .measured(fault, brief, detail);
  }
}
