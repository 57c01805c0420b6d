package dev.txguard.bench;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Types;
import java.util.HashMap;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * JDBC objects that answer at once without a server, for measuring what a transaction wrapper costs
 * on the JVM alone (the way HikariCP measures its pool): every query returns one row holding 100,
 * every update changes one row, commit and rollback do nothing. Each contender gets the same stub
 * under the same HikariCP pool, so a difference is the contender's own code. Built with dynamic
 * proxies: each JDBC call costs every contender the same few nanoseconds of dispatch.
 *
 * <p>Only for {@code txguard-bench}: a stub must never stand in for the database in a test of
 * database behaviour.
 */
final class StubJdbc {
  private StubJdbc() {}

  /** A DataSource whose connections are stubs. */
  static DataSource dataSource() {
    return proxy(
        DataSource.class,
        (p, m, a) ->
            switch (m.getName()) {
              case "getConnection" -> connection();
              case "getLoginTimeout" -> 0;
              case "isWrapperFor" -> false;
              case "toString" -> "StubJdbc.dataSource";
              case "hashCode" -> System.identityHashCode(p);
              case "equals" -> p == a[0];
              default -> null;
            });
  }

  private static Connection connection() {
    boolean[] autoCommit = {true};
    int[] isolation = {Connection.TRANSACTION_READ_COMMITTED};
    boolean[] readOnly = {false};
    int[] networkTimeout = {0};
    boolean[] closed = {false};
    Connection[] self = new Connection[1];
    self[0] =
        proxy(
            Connection.class,
            (p, m, a) ->
                switch (m.getName()) {
                  case "prepareStatement", "prepareCall" ->
                      statement(PreparedStatement.class, self[0]);
                  case "createStatement" -> statement(Statement.class, self[0]);
                  case "getAutoCommit" -> autoCommit[0];
                  case "setAutoCommit" -> {
                    autoCommit[0] = (Boolean) a[0];
                    yield null;
                  }
                  case "getTransactionIsolation" -> isolation[0];
                  case "setTransactionIsolation" -> {
                    isolation[0] = (Integer) a[0];
                    yield null;
                  }
                  case "isReadOnly" -> readOnly[0];
                  case "setReadOnly" -> {
                    readOnly[0] = (Boolean) a[0];
                    yield null;
                  }
                  case "getNetworkTimeout" -> networkTimeout[0];
                  case "setNetworkTimeout" -> {
                    networkTimeout[0] = (Integer) a[1];
                    yield null;
                  }
                  case "isValid" -> !closed[0];
                  case "isClosed" -> closed[0];
                  case "close", "abort" -> {
                    closed[0] = true;
                    yield null;
                  }
                  case "getHoldability" -> ResultSet.CLOSE_CURSORS_AT_COMMIT;
                  case "getTypeMap" -> new HashMap<String, Class<?>>();
                  case "getClientInfo" -> a == null ? new Properties() : null;
                  case "getMetaData" -> metaData(self[0]);
                  case "getWarnings", "getCatalog", "getSchema" -> null;
                  case "isWrapperFor" -> false;
                  case "unwrap" -> throw new java.sql.SQLException("the stub wraps nothing");
                  case "hashCode" -> System.identityHashCode(p);
                  case "equals" -> p == a[0];
                  case "toString" -> "StubJdbc.connection";
                  default -> null; // commit, rollback, savepoints, clearWarnings ...
                });
    return self[0];
  }

  private static <S extends Statement> S statement(Class<S> type, Connection connection) {
    int[] maxRows = {0};
    return proxy(
        type,
        (p, m, a) ->
            switch (m.getName()) {
              case "executeQuery", "getResultSet" -> resultSet();
              case "executeUpdate", "getUpdateCount" -> 1;
              case "executeLargeUpdate" -> 1L;
              case "execute" -> false;
              case "executeBatch" -> new int[0];
              case "getConnection" -> connection;
              case "getMaxRows" -> maxRows[0];
              case "setMaxRows" -> {
                maxRows[0] = (Integer) a[0];
                yield null;
              }
              case "getMoreResults" -> false;
              case "getFetchSize", "getQueryTimeout", "getMaxFieldSize" -> 0;
              case "isClosed" -> false;
              case "isWrapperFor" -> false;
              case "hashCode" -> System.identityHashCode(p);
              case "equals" -> p == a[0];
              default -> null;
            });
  }

  private static ResultSet resultSet() {
    boolean[] before = {true};
    return proxy(
        ResultSet.class,
        (p, m, a) ->
            switch (m.getName()) {
              case "next" -> {
                boolean row = before[0];
                before[0] = false;
                yield row;
              }
              case "getLong" -> 100L;
              case "getInt" -> 100;
              case "getObject" -> 100L;
              // build()'s connection-limit check reads "superuser" (then max_connections, 100, is
              // all the pools are checked against)
              case "getBoolean" -> true;
              case "wasNull", "isClosed" -> false;
              case "getMetaData" -> resultMetaData();
              case "findColumn" -> 1;
              case "getType" -> ResultSet.TYPE_FORWARD_ONLY;
              case "getConcurrency" -> ResultSet.CONCUR_READ_ONLY;
              case "isWrapperFor" -> false;
              case "hashCode" -> System.identityHashCode(p);
              case "equals" -> p == a[0];
              default -> null;
            });
  }

  private static ResultSetMetaData resultMetaData() {
    return proxy(
        ResultSetMetaData.class,
        (p, m, a) ->
            switch (m.getName()) {
              case "getColumnCount" -> 1;
              case "getColumnLabel", "getColumnName" -> "balance";
              case "getColumnType" -> Types.BIGINT;
              case "getColumnTypeName" -> "int8";
              case "getColumnClassName" -> Long.class.getName();
              case "getPrecision" -> 19;
              case "getScale" -> 0;
              case "isNullable" -> ResultSetMetaData.columnNoNulls;
              case "getTableName", "getSchemaName", "getCatalogName" -> "";
              case "isWrapperFor" -> false;
              default -> null;
            });
  }

  private static DatabaseMetaData metaData(Connection connection) {
    return proxy(
        DatabaseMetaData.class,
        (p, m, a) ->
            switch (m.getName()) {
              case "getConnection" -> connection;
              case "getDatabaseProductName" -> "PostgreSQL";
              case "getDatabaseProductVersion" -> "17.0";
              case "getDatabaseMajorVersion" -> 17;
              case "getDatabaseMinorVersion", "getJDBCMinorVersion" -> 0;
              case "getJDBCMajorVersion" -> 4;
              case "getDriverName" -> "stub";
              case "getURL" -> "jdbc:stub:";
              case "supportsTransactions",
                  "supportsSavepoints",
                  "supportsTransactionIsolationLevel" ->
                  true;
              case "getIdentifierQuoteString" -> "\"";
              case "isWrapperFor" -> false;
              default -> null;
            });
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, InvocationHandler handler) {
    return (T)
        Proxy.newProxyInstance(StubJdbc.class.getClassLoader(), new Class<?>[] {type}, handler);
  }
}
