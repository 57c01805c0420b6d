package dev.txguard.test;

import dev.txguard.SideEffectInTransactionException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import javax.sql.DataSource;

/**
 * Proves that code running txguard units is safe to retry. txguard retries a unit by running its
 * whole callback again, which is only safe when running it twice leaves the same result as running
 * it once. This check runs the code under test once cleanly, then once more for every statement
 * position of every unit it ran (and for every COMMIT), each time making that statement fail with a
 * retryable error (SQLSTATE 40001 by default) in the unit's first attempt, so txguard retries it.
 * Each run must end like the clean one: same return value (or exception type), same database state
 * (your snapshot queries and tables), same outside world (your probes), and the outside world must
 * not change during an attempt that rolled back.
 *
 * <pre>{@code
 * RetrySafety.of(testDb)
 *     .setup(() -> { testDb.execute("truncate job, notification"); mailer.clear();
 *                    testDb.execute("insert into job(id, state) values (7, 'running')"); })
 *     .tables("job", "notification")                  // compared after every run
 *     .probe("mails sent", mailer::sent)                 // the world outside the database
 *     .verify(() -> service.completeJob(7));             // AssertionError naming the statement
 * }</pre>
 *
 * <p>What it finds: an external call made inside a callback (the probe changes during the failed
 * attempt, and twice in all), in-memory state mutated inside a callback (return value or probe
 * differ), a value read before a unit and reused inside it (give {@link #concurrentWrite} a
 * conflicting write: the check applies it where the failure is injected, as the transaction that
 * caused the conflict would have, so a retried unit must see it), hand-kept "after commit" lists
 * outside the unit (run once per attempt), and guarded side effects ({@code
 * Transactions.assertNoTransaction}) reached inside a unit.
 *
 * <p>Rules: {@link #setup} runs before every run and must bring the database and the outside world
 * back to the same starting point (the check verifies that the snapshots and probes are equal
 * before every run). Sequences are set back, when a failure is injected, to where they stood when
 * the failed attempt began, so a retried unit draws the same ids as the clean run. Only the units
 * begun on the thread that calls {@link #verify} or {@link #run} are numbered and failed: units
 * other threads run meanwhile (a queue's announcer or maintenance, a scheduler) are left alone, and
 * a unit the action hands to another thread is not checked (call that code directly; an action that
 * ran units only on other threads is refused, as nothing was checked). Writes of other threads
 * still show in the snapshots, so compare no table they write. Snapshots that include {@code now()}
 * timestamps differ between runs: leave such columns out. Not thread-safe; use one per test.
 */
public final class RetrySafety {
  /** Setup or probe code that may throw. */
  @FunctionalInterface
  public interface Work {
    /**
     * Runs the setup once, on the test's thread, before a run of the check.
     *
     * @throws Exception anything; it ends the check with that exception
     */
    void run() throws Exception;
  }

  private final FaultInjector faults;
  private final DataSource plain;
  private Work setup = () -> {};
  private final Map<String, String> snapshots = new LinkedHashMap<>();
  private final Map<String, Callable<?>> probes = new LinkedHashMap<>();
  private final List<String> concurrentWrites = new ArrayList<>();
  private Fault failure = Fault.serializationFailure();

  private RetrySafety(FaultInjector faults, DataSource plain) {
    this.faults = faults;
    this.plain = plain;
  }

  /**
   * A check of code running units of {@code db}'s database.
   *
   * @param db the extension's database, whose fault injector the check drives
   * @return a new check with no snapshot, probe or setup yet
   */
  public static RetrySafety of(TestDatabase db) {
    if (db == null) {
      throw new IllegalArgumentException("db must not be null");
    }
    return new RetrySafety(db.faults(), db.plainDataSource());
  }

  /**
   * A check of code running units of a database built over {@code faults} (see {@link
   * FaultInjector}); {@code plain} reaches the same database outside txguard, for snapshots.
   *
   * @param faults the injector the database under test was built over
   * @param plain an unwrapped DataSource of the same database
   * @return a new check with no snapshot, probe or setup yet
   */
  public static RetrySafety of(FaultInjector faults, DataSource plain) {
    if (faults == null || plain == null) {
      throw new IllegalArgumentException("faults and plain must not be null");
    }
    return new RetrySafety(faults, plain);
  }

  /**
   * Runs before every run (the clean one and each injected one) to restore the starting state.
   *
   * @param setup restores the database and the outside world; replaces an earlier setup
   * @return this check
   */
  public RetrySafety setup(Work setup) {
    if (setup == null) {
      throw new IllegalArgumentException("setup must not be null");
    }
    this.setup = setup;
    return this;
  }

  /**
   * Compares the rows of {@code query} after every run (give it an ORDER BY: rows are compared in
   * order).
   *
   * @param query a SELECT, run outside txguard; adding it twice compares it once
   * @return this check
   */
  public RetrySafety snapshot(String query) {
    if (query == null || query.isBlank()) {
      throw new IllegalArgumentException("query must not be blank");
    }
    snapshots.put(query, query);
    return this;
  }

  /**
   * Compares the whole contents of these tables after every run (rows compared as text, sorted).
   *
   * @param tables table names, optionally schema-qualified
   * @return this check
   */
  public RetrySafety tables(String... tables) {
    for (String t : tables) {
      if (t == null || !t.matches("[A-Za-z_][A-Za-z0-9_$.]*")) {
        throw new IllegalArgumentException("not a table name: " + t);
      }
      snapshots.put("table " + t, "select x::text from " + t + " x order by 1");
    }
    return this;
  }

  /**
   * Compares what {@code probe} returns after every run (with {@code equals}), and checks that it
   * does not change during an attempt that is rolled back: the outside world, e.g. mails sent,
   * calls made, an in-memory counter.
   *
   * @param name names the probe in findings; a second probe of the same name replaces the first
   * @param probe reads the outside world; called on the test's thread
   * @return this check
   */
  public RetrySafety probe(String name, Callable<?> probe) {
    if (name == null || probe == null) {
      throw new IllegalArgumentException("name and probe must not be null");
    }
    probes.put(name, probe);
    return this;
  }

  /**
   * SQL of a write that conflicts with the code under test, as a concurrent transaction would make
   * it: applied before the code in the clean run, and in each injected run right after the failed
   * attempt rolled back (as if it were the transaction that caused the serialization failure). A
   * unit that reads inside itself sees it on its retry; one that reuses a value read before it does
   * not, and the outcomes differ.
   *
   * @param sql statements run in their own transaction, in order
   * @return this check
   */
  public RetrySafety concurrentWrite(String... sql) {
    concurrentWrites.addAll(List.of(sql));
    return this;
  }

  /**
   * The retryable failure to inject; default {@link Fault#serializationFailure()}. Its placement is
   * ignored: the check places it.
   *
   * @param failure its SQLSTATE (and description) are used
   * @return this check
   */
  public RetrySafety failure(Fault failure) {
    if (failure == null) {
      throw new IllegalArgumentException("failure must not be null");
    }
    this.failure = failure;
    return this;
  }

  /**
   * Runs the check and fails if any injected run ended differently from the clean one.
   *
   * @param action the code under test, run once cleanly and once per injection point
   * @return the report, when every run ended like the clean one
   * @throws AssertionError with the {@link RetrySafetyReport#describe() report}
   * @throws Exception what setup, a snapshot or a probe threw
   */
  public RetrySafetyReport verify(Callable<?> action) throws Exception {
    RetrySafetyReport report = run(action);
    report.assertSafe();
    return report;
  }

  /**
   * Runs the check and returns its report.
   *
   * @param action the code under test, run once cleanly and once per injection point
   * @return the report: points tried, units seen, and findings (empty when safe)
   * @throws IllegalStateException if {@link #setup} does not restore the starting state, or the
   *     action ran no unit on the calling thread while units began on others (nothing would be
   *     checked)
   * @throws Exception what setup, a snapshot or a probe threw
   */
  public RetrySafetyReport run(Callable<?> action) throws Exception {
    if (action == null) {
      throw new IllegalArgumentException("action must not be null");
    }
    Run clean = runOnce(action, null, null);
    List<String> elsewhere = clean.trace.otherThreads();
    if (clean.trace.units().isEmpty() && !elsewhere.isEmpty()) {
      throw new IllegalStateException(
          "the action ran no unit on the thread running the check, while "
              + clean.trace.otherThreadUnits()
              + " unit(s) began on other threads ("
              + String.join(", ", elsewhere)
              + "): the check numbers and fails only units begun on its own thread, so nothing"
              + " was checked; run the code under test on that thread");
    }
    List<RetrySafetyReport.Finding> findings = new ArrayList<>();
    guardedSideEffect(clean).ifPresent(findings::add);
    int tried = 0;
    for (Trace.Unit unit : clean.trace.units()) {
      List<String> statements = unit.statements;
      for (int p = 1; p <= statements.size() + (unit.committed ? 1 : 0); p++) {
        int position = p > statements.size() ? 0 : p;
        String sql = position == 0 ? "COMMIT" : statements.get(p - 1);
        Fault fault =
            (position == 0 ? failure.atCommit() : failure.atStatement(position))
                .times(1)
                .ordinal(unit.ordinal);
        Run injected = runOnce(action, fault, clean.before);
        tried++;
        List<String> differences = compare(clean, injected);
        if (!differences.isEmpty()) {
          findings.add(
              new RetrySafetyReport.Finding(unit.name, unit.ordinal, position, sql, differences));
        }
      }
    }
    return new RetrySafetyReport(tried, clean.trace.units().size(), findings);
  }

  private java.util.Optional<RetrySafetyReport.Finding> guardedSideEffect(Run clean) {
    for (Throwable t = clean.thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SideEffectInTransactionException e) {
        Trace.Unit unit = clean.trace.lastBegun();
        String name = unit == null ? "?" : unit.name;
        int position = unit == null ? 0 : unit.statements.size();
        String sql =
            position == 0 ? "(before its first statement)" : unit.statements.get(position - 1);
        return java.util.Optional.of(
            new RetrySafetyReport.Finding(
                name,
                unit == null ? 0 : unit.ordinal,
                position,
                sql,
                List.of(
                    "even without any failure, a guarded side effect ran inside the unit, after statement "
                        + position
                        + ": "
                        + e.getMessage())));
      }
    }
    return java.util.Optional.empty();
  }

  private List<String> compare(Run clean, Run injected) {
    List<String> differences = new ArrayList<>();
    if (injected.fired == 0) {
      differences.add(
          "the failure could not be injected: the unit ran other statements than in the clean run");
    }
    String cleanResult = clean.result();
    String injectedResult = injected.result();
    if (!cleanResult.equals(injectedResult)) {
      differences.add("result: clean run " + cleanResult + ", with the failure " + injectedResult);
    }
    for (String name : clean.after.keySet()) {
      Object a = clean.after.get(name);
      Object b = injected.after.get(name);
      if (!Objects.equals(a, b)) {
        differences.add(
            (snapshots.containsKey(name) ? "database " : "probe ")
                + "'"
                + name
                + "': clean run "
                + a
                + ", with the failure "
                + b);
      }
    }
    differences.addAll(injected.trace.duringFailedAttempt);
    return differences;
  }

  private Run runOnce(Callable<?> action, Fault fault, Map<String, Object> expectedBefore)
      throws Exception {
    setup.run();
    Map<String, Object> before = state();
    if (expectedBefore != null && !expectedBefore.equals(before)) {
      throw new IllegalStateException(
          "setup does not restore the starting state: before the clean run it was "
              + expectedBefore
              + ", now it is "
              + before
              + "; make setup reset every table and probe the check compares");
    }
    if (fault == null) {
      applyConcurrentWrites();
    }
    Trace trace = new Trace(fault);
    faults.restartOrdinals(Thread.currentThread());
    faults.tap(trace);
    FaultScope scope = fault == null ? null : faults.inject(fault);
    Object value = null;
    Throwable thrown = null;
    try {
      value = action.call();
    } catch (Exception | AssertionError e) {
      thrown = e;
    } finally {
      if (scope != null) {
        scope.close();
      }
      faults.tap(
          null); // numbering stays with this thread: a unit begun between runs gets no ordinal
    }
    if (trace.error != null) {
      throw trace.error;
    }
    return new Run(before, value, thrown, state(), trace, scope == null ? 0 : scope.fired());
  }

  private Map<String, Object> state() throws Exception {
    Map<String, Object> state = new LinkedHashMap<>();
    try (Connection c = plain.getConnection()) {
      for (Map.Entry<String, String> s : snapshots.entrySet()) {
        state.put(s.getKey(), rows(c, s.getValue()));
      }
    }
    state.putAll(probeValues());
    return state;
  }

  private Map<String, Object> probeValues() throws Exception {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Map.Entry<String, Callable<?>> p : probes.entrySet()) {
      values.put(p.getKey(), p.getValue().call());
    }
    return values;
  }

  private static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        if (n == 1) {
          rows.add(rs.getString(1));
          continue;
        }
        StringBuilder row = new StringBuilder("(");
        for (int i = 1; i <= n; i++) {
          row.append(i > 1 ? ", " : "").append(rs.getString(i));
        }
        rows.add(row.append(')').toString());
      }
    }
    return rows;
  }

  private void applyConcurrentWrites() throws SQLException {
    if (concurrentWrites.isEmpty()) {
      return;
    }
    try (Connection c = plain.getConnection();
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      for (String sql : concurrentWrites) {
        st.execute(sql);
      }
      c.commit();
    }
  }

  private Map<String, Long[]> sequences() throws SQLException {
    Map<String, Long[]> values = new LinkedHashMap<>();
    try (Connection c = plain.getConnection();
        Statement st = c.createStatement()) {
      List<String> names = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery(
              "select c.oid::regclass::text from pg_class c join pg_namespace n"
                  + " on n.oid = c.relnamespace where c.relkind = 'S' and n.nspname not in ('pg_catalog', 'information_schema')")) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
      for (String name : names) {
        try (ResultSet rs = st.executeQuery("select last_value, is_called from " + name)) {
          rs.next();
          values.put(name, new Long[] {rs.getLong(1), rs.getBoolean(2) ? 1L : 0L});
        }
      }
    }
    return values;
  }

  private void restore(Map<String, Long[]> sequences) throws SQLException {
    try (Connection c = plain.getConnection();
        java.sql.PreparedStatement ps = c.prepareStatement("select setval(?::regclass, ?, ?)")) {
      for (Map.Entry<String, Long[]> s : sequences.entrySet()) {
        ps.setString(1, s.getKey());
        ps.setLong(2, s.getValue()[0]);
        ps.setBoolean(3, s.getValue()[1] == 1L);
        ps.executeQuery().close();
      }
    }
  }

  /** What one run did. */
  private record Run(
      Map<String, Object> before,
      Object value,
      Throwable thrown,
      Map<String, Object> after,
      Trace trace,
      int fired) {
    String result() {
      return thrown == null
          ? "returned " + value
          : "threw " + thrown.getClass().getName() + ": " + firstLine(thrown);
    }
  }

  /** Follows the units of one run: their statements, and the injected failure's retry. */
  private final class Trace implements FaultInjector.Tap {
    /** A unit of the run: its first attempt's statements. */
    final class Unit {
      final String name;
      final int ordinal;
      final List<String> statements = new ArrayList<>();
      boolean committed;

      Unit(String name, int ordinal) {
        this.name = name;
        this.ordinal = ordinal;
      }
    }

    private final Fault fault;
    private final List<Unit> units = new ArrayList<>();

    /** The first units begun on other threads during the run (name and thread), and how many. */
    private final List<String> otherThreads = new ArrayList<>();

    private int otherThreadUnits;

    private final Map<UnitState, Unit> byState = new java.util.IdentityHashMap<>();
    final List<String> duringFailedAttempt = new ArrayList<>();
    private Map<String, Long[]> sequencesAtTarget;
    private Map<String, Object> probesAtTarget;
    Exception error;

    Trace(Fault fault) {
      this.fault = fault;
    }

    synchronized List<Unit> units() {
      return List.copyOf(units);
    }

    synchronized List<String> otherThreads() {
      return List.copyOf(otherThreads);
    }

    synchronized int otherThreadUnits() {
      return otherThreadUnits;
    }

    synchronized Unit lastBegun() {
      return units.isEmpty() ? null : units.getLast();
    }

    @Override
    public synchronized void begun(UnitState state) {
      if (state.ordinal == 0) {
        if (state.attempt == 1 && otherThreadUnits++ < 5) {
          otherThreads.add("'" + state.name + "' on " + state.thread);
        }
        return; // begun on another thread, or a retry of such a unit: not part of the check
      }
      if (state.attempt == 1) {
        Unit unit = new Unit(state.name, state.ordinal);
        units.add(unit);
        byState.put(state, unit);
      }
      if (fault != null && state.ordinal == fault.ordinal && state.attempt == 1) {
        try {
          sequencesAtTarget = sequences();
          probesAtTarget = probeValues();
        } catch (Exception e) {
          error = e;
        }
      }
    }

    @Override
    public synchronized void ended(UnitState state, boolean committed) {
      Unit unit = byState.remove(state);
      if (unit != null) {
        unit.statements.addAll(state.statements());
        unit.committed = committed;
      }
    }

    @Override
    public synchronized void retrying(UnitState failed) {
      if (fault == null || failed.ordinal != fault.ordinal || failed.attempt != 1) {
        return;
      }
      try {
        Map<String, Object> now = probeValues();
        if (probesAtTarget != null && !probesAtTarget.equals(now)) {
          duringFailedAttempt.add(
              "the outside world changed during attempt 1 of unit '"
                  + failed.name
                  + "', which was rolled back: probes went from "
                  + probesAtTarget
                  + " to "
                  + now
                  + " (a side effect inside the callback runs again on every retry; move it to tx.afterCommit)");
        }
        if (sequencesAtTarget != null) {
          restore(sequencesAtTarget);
        }
        applyConcurrentWrites();
      } catch (Exception e) {
        error = e;
      }
    }
  }

  /** The first line of a throwable's message, or its class name when it has none. */
  private static String firstLine(Throwable t) {
    String message = t.getMessage();
    return message == null ? "(no message)" : message.lines().findFirst().orElse("");
  }
}
