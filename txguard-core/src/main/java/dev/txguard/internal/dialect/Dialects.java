package dev.txguard.internal.dialect;

import dev.txguard.TxException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the {@link Dialect} for a database: from the JDBC URL's subprotocol when there is one,
 * else from the product name in a connection's metadata. Thread-safe.
 */
public final class Dialects {
  private static final List<Dialect> SUPPORTED =
      List.of(PostgresDialect.INSTANCE, MariaDbDialect.MARIADB, MariaDbDialect.MYSQL);

  private Dialects() {}

  /** The names of the supported products, for messages: e.g. {@code "PostgreSQL"}. */
  public static String supported() {
    return String.join(", ", SUPPORTED.stream().map(Dialect::name).toList());
  }

  /**
   * The dialect for a JDBC URL, by its subprotocol: {@code jdbc:postgresql:}, {@code jdbc:mariadb:}
   * (a MariaDB server), {@code jdbc:mysql:} (a MySQL server, whichever driver accepts the URL).
   *
   * @throws IllegalArgumentException naming the subprotocol and the supported databases when no
   *     dialect supports it, or when {@code url} is not a JDBC URL
   */
  public static Dialect forUrl(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.startsWith("jdbc:postgresql:")) {
      return PostgresDialect.INSTANCE;
    }
    if (lower.startsWith("jdbc:mariadb:")) {
      return MariaDbDialect.MARIADB;
    }
    if (lower.startsWith("jdbc:mysql:")) {
      return MariaDbDialect.MYSQL;
    }
    int colon = lower.indexOf(':', 5);
    String subprotocol = lower.startsWith("jdbc:") && colon > 5 ? url.substring(5, colon) : null;
    throw new IllegalArgumentException(
        subprotocol == null
            ? "url must be a JDBC URL starting with jdbc:postgresql:, jdbc:mariadb: or jdbc:mysql:, was a text starting with '"
                + url.substring(0, Math.min(url.length(), 5))
                + "'"
            : "url is for '"
                + subprotocol
                + "', which txguard does not support; supported: "
                + supported()
                + " (a URL starting with jdbc:postgresql:, jdbc:mariadb: or jdbc:mysql:)");
  }

  /**
   * The dialect for the database {@code conn} is connected to, by its metadata's product name.
   *
   * @throws TxException naming the product and version found and the supported databases
   */
  public static Dialect forConnection(Connection conn) {
    try {
      DatabaseMetaData meta = conn.getMetaData();
      return forProduct(meta.getDatabaseProductName(), meta.getDatabaseProductVersion());
    } catch (SQLException e) {
      throw new TxException(
          "cannot read which database the DataSource connects to ("
              + e.getMessage()
              + "); supported: "
              + supported(),
          e);
    }
  }

  /**
   * The dialect for a product name as JDBC metadata gives it ({@code "PostgreSQL"}, {@code
   * "MariaDB"}, {@code "MySQL"}; MariaDB Connector/J names the server it is connected to).
   *
   * @throws TxException naming the product and version and the supported databases
   */
  static Dialect forProduct(String product, String version) {
    for (Dialect dialect : SUPPORTED) {
      if (dialect.name().equalsIgnoreCase(product)) {
        return dialect;
      }
    }
    throw new TxException(
        "the DataSource connects to "
            + product
            + " "
            + version
            + ", which txguard does not support; supported: "
            + supported(),
        null);
  }
}
