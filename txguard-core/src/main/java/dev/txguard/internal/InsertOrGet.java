package dev.txguard.internal;

import dev.txguard.internal.dialect.Dialect;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The two statements of an insert-or-get, built once from validated identifiers. */
record InsertOrGet(String insertSql, Object[] insertParams, String selectSql, Object[] keyParams) {
  static InsertOrGet of(
      Dialect dialect, String table, Map<String, ?> key, Map<String, ?> values, String returning) {
    LockKeys.identifier("table", table);
    LockKeys.identifier("returning", returning);
    List<String> keyColumns = new ArrayList<>();
    List<Object> keyParams = new ArrayList<>();
    readKey(key, keyColumns, keyParams);
    List<String> columns = new ArrayList<>(keyColumns);
    List<Object> params = new ArrayList<>(keyParams);
    if (values != null) {
      values.forEach(
          (column, value) -> {
            columns.add(LockKeys.identifier("value column", column));
            params.add(value);
          });
    }
    String insert = dialect.insertUnlessConflict(table, columns, keyColumns, returning);
    String select =
        "select "
            + returning
            + " from "
            + table
            + " where "
            + keyColumns.stream().map(c -> c + " = ?").collect(Collectors.joining(" and "));
    return new InsertOrGet(insert, params.toArray(), select, keyParams.toArray());
  }

  /**
   * Adds the key's columns (checked identifiers) and values (not null: NULLs never conflict) to
   * {@code columns} and {@code params}, in the map's order.
   */
  private static void readKey(Map<String, ?> key, List<String> columns, List<Object> params) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException(
          "key must name the columns of a unique constraint, was " + key);
    }
    key.forEach(
        (column, value) -> {
          columns.add(LockKeys.identifier("key column", column));
          if (value == null) {
            throw new IllegalArgumentException(
                "key column " + column + " must not be null: NULLs never conflict");
          }
          params.add(value);
        });
  }
}
