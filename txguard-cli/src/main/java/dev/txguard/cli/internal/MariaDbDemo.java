package dev.txguard.cli.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What differs when the demo runs on MariaDB ({@code txguard demo --url jdbc:mariadb://...}): the
 * demo's schema is a database of its own ({@code CREATE DATABASE}, MariaDB's schemas are
 * databases), stories connect to it by the URL's database part, scripts come in a MariaDB form
 * ({@code NAME.mariadb.sql}), and the server's own tables answer which transactions are open.
 * Stateless.
 */
final class MariaDbDemo {
  /** The URL prefix of MariaDB Connector/J. */
  static final String URL_PREFIX = "jdbc:mariadb:";

  private MariaDbDemo() {}

  /** The server's version, e.g. {@code 10.11.14} (without the {@code -MariaDB-...} suffix). */
  static String serverVersion(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select version()")) {
      rs.next();
      return rs.getString(1).split("-")[0];
    }
  }

  /**
   * {@code admin}'s URL with {@code database} as its database part, keeping host, port and
   * parameters: {@code jdbc:mariadb://h:3306/test?x=1} becomes {@code
   * jdbc:mariadb://h:3306/DB?x=1}.
   */
  static ConnectionInfo inDatabase(ConnectionInfo admin, String database) {
    String url = admin.url();
    int query = url.indexOf('?') < 0 ? url.length() : url.indexOf('?');
    int hostsStart = url.indexOf("//") + 2;
    int slash = url.indexOf('/', hostsStart);
    int pathStart = slash < 0 || slash > query ? query : slash;
    String moved = url.substring(0, pathStart) + "/" + database + url.substring(query);
    return new ConnectionInfo(moved, admin.user(), admin.password());
  }

  /**
   * The resource of a script's MariaDB form: {@code leaked-tx.sql} becomes {@code
   * leaked-tx.mariadb.sql}.
   */
  static String script(String resource) {
    return resource.replaceFirst("\\.sql$", ".mariadb.sql");
  }

  /**
   * Transactions open in {@code database} other than the caller's own connection: InnoDB's {@code
   * information_schema.INNODB_TRX} joined with the process list by thread id.
   */
  static String openTransactionsQuery() {
    return "select count(*) from information_schema.innodb_trx t join information_schema.processlist p"
        + " on p.id = t.trx_mysql_thread_id where p.db = database() and p.id <> connection_id()";
  }

  /**
   * Ends every connection into {@code database} but this one (a leaked transaction would make
   * {@code DROP DATABASE} wait for its locks), then drops the database.
   */
  static void dropDatabase(Connection c, String database) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("set max_statement_time = 30");
      List<Long> ids = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery(
              "select id from information_schema.processlist where db = '"
                  + database
                  + "' and id <> connection_id()")) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
      for (long id : ids) {
        killQuietly(st, id);
      }
      st.execute("drop database if exists " + database);
    }
  }

  private static void killQuietly(Statement st, long id) {
    try {
      st.execute("kill connection " + id);
    } catch (SQLException e) {
      // 1094 unknown thread: it ended by itself meanwhile, which is what KILL was for
    }
  }
}
