package dev.txguard.internal;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * How a {@link dev.txguard.Tx} statement's parameters reach JDBC: an {@code Object[]} becomes an
 * SQL array ({@code bigint[]} when it holds a Long, {@code int4[]} when only Integers and nulls,
 * {@code uuid[]} when it starts with a UUID, {@code text[]} otherwise), an {@link Instant} an
 * {@link OffsetDateTime} in UTC (what pgjdbc binds as timestamptz), an enum its {@code name()};
 * anything else is passed to {@link PreparedStatement#setObject(int, Object)} as it is. Stateless.
 */
final class Parameters {
  private Parameters() {}

  /** Throws when the varargs array itself is null, saying how to bind one SQL NULL. */
  static void require(Object[] params) {
    if (params == null) {
      throw new IllegalArgumentException(
          "params array is null; to bind a single SQL NULL pass (Object) null");
    }
  }

  /** Binds {@code params} to {@code ps}, first parameter first, converted as the class says. */
  static void bind(PreparedStatement ps, Object[] params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object value = params[i];
      if (value instanceof Object[] array) {
        ps.setArray(i + 1, ps.getConnection().createArrayOf(arrayType(array), array));
      } else {
        ps.setObject(i + 1, jdbcValue(value));
      }
    }
  }

  private static String arrayType(Object[] array) {
    boolean allInts = true;
    for (Object o : array) {
      if (o instanceof Long) {
        return "bigint";
      }
      allInts &= o instanceof Integer || o == null;
    }
    return allInts && array.length > 0
        ? "int4"
        : array.length > 0 && array[0] instanceof java.util.UUID ? "uuid" : "text";
  }

  private static Object jdbcValue(Object value) {
    if (value instanceof Instant instant) {
      return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
    if (value instanceof Enum<?> e) {
      return e.name();
    }
    return value;
  }
}
