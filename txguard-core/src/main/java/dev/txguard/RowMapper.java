package dev.txguard;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Turns the current row of a {@link ResultSet} into a value. Called once per row; must not move the
 * cursor.
 *
 * <pre>{@code
 * List<String> names = tx.query("select name from product where price > ?",
 *     rs -> rs.getString("name"), 10);
 * }</pre>
 *
 * @param <T> the mapped type
 */
@FunctionalInterface
public interface RowMapper<T> {
  /**
   * Maps the current row.
   *
   * @param rs the result set, positioned on a row
   * @return the row's value
   * @throws SQLException if a column cannot be read
   */
  T map(ResultSet rs) throws SQLException;
}
