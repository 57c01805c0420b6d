package dev.txguard.test;

/** Text helpers for reports. */
final class Sql {
  private Sql() {}

  /** The statement on one line, at most 200 characters. */
  static String abbreviate(String sql) {
    if (sql == null) {
      return "(unknown statement)";
    }
    String oneLine = sql.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 197) + "...";
  }
}
