package dev.txguard.test;

import java.util.ArrayList;
import java.util.List;

/**
 * One attempt of a unit as the fault injector sees it. Confined to the unit's thread, but read by
 * reports.
 */
final class UnitState {
  final String name;
  final int attempt;

  /**
   * Which unit of the current run this is (1-based, in begin order; retries keep it), 0 if unknown.
   */
  final int ordinal;

  final String thread;
  final List<StackTraceElement> openedAt;
  final List<String> statements = new ArrayList<>();
  int position;

  /** Until the first statement: it may be txguard's own setup statement, which is not counted. */
  boolean preludePossible = true;

  UnitState(
      String name, int attempt, int ordinal, String thread, List<StackTraceElement> openedAt) {
    this.name = name;
    this.attempt = attempt;
    this.ordinal = ordinal;
    this.thread = thread;
    this.openedAt = openedAt;
  }

  synchronized List<String> statements() {
    return List.copyOf(statements);
  }

  synchronized void add(String sql) {
    statements.add(sql);
  }
}
