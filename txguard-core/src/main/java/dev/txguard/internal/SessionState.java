package dev.txguard.internal;

import dev.txguard.internal.dialect.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * What one borrower did to a pooled connection's session, and how to undo it before the connection
 * serves anyone else. Created only when a borrower changes something, so a borrower that changes
 * nothing pays nothing. Confined to the borrower's thread.
 *
 * <p>Server-side state (settings, search path, role, advisory locks, temporary tables, LISTEN,
 * prepared statements, cursors, sequence state) is reset by the dialect ({@code
 * Dialect.resetSession}: on PostgreSQL {@code DISCARD ALL}), after which the pool's session
 * characteristics and the application name the driver set after login are set again. JDBC-level
 * state the driver keeps on its side (holdability, type map, client info, network timeout) is put
 * back to what it was before the borrower's first change; read-only and isolation changes are
 * refused inside a unit and reset by the pool outside one.
 */
final class SessionState {

  /** The JDBC setters whose effect outlives a borrower, and {@link #beforeSetter} must see. */
  static final Set<String> SETTERS =
      Set.of(
          "setSchema",
          "setCatalog",
          "setHoldability",
          "setTypeMap",
          "setClientInfo",
          "setNetworkTimeout");

  private static final Object UNSET = new Object();

  /**
   * The session's application_name when the borrower's first change was seen (the driver may have
   * set it after login, where DISCARD ALL would not restore it); null if unknown.
   */
  private final String applicationName;

  private final Dialect dialect;
  private boolean server;
  private Object holdability = UNSET;
  private Object typeMap = UNSET;
  private Object clientInfo = UNSET;
  private Object networkTimeout = UNSET;

  /** Starts the bookkeeping before the borrower's first change reaches {@code conn}. */
  SessionState(Connection conn, Dialect dialect) {
    this.dialect = dialect;
    this.applicationName = dialect.applicationName(conn);
  }

  /** Records that SQL changing the server session was sent. */
  void serverChanged() {
    server = true;
  }

  /**
   * Called before a JDBC setter runs on {@code target}: remembers the value it will replace (the
   * first time only) so that {@link #reset} can put it back.
   */
  void beforeSetter(String setter, Connection target) throws SQLException {
    switch (setter) {
      case "setSchema", "setCatalog" -> server = true; // search_path: reset by DISCARD ALL
      case "setHoldability" ->
          holdability = holdability == UNSET ? target.getHoldability() : holdability;
      case "setTypeMap" -> typeMap = typeMap == UNSET ? target.getTypeMap() : typeMap;
      case "setClientInfo" -> {
        clientInfo = clientInfo == UNSET ? copy(target.getClientInfo()) : clientInfo;
        server = true; // the driver sends SET application_name
      }
      case "setNetworkTimeout" ->
          networkTimeout = networkTimeout == UNSET ? target.getNetworkTimeout() : networkTimeout;
      default -> {}
    }
  }

  /**
   * Called before the borrower gets the driver's own connection by {@code unwrap}: nothing it does
   * there is seen, so everything is reset at the end.
   */
  void beforeUnwrap(Connection target) throws SQLException {
    for (String setter : SETTERS) {
      beforeSetter(setter, target);
    }
    server = true;
  }

  private static Properties copy(Properties p) {
    Properties copy = new Properties();
    if (p != null) {
      copy.putAll(p);
    }
    return copy;
  }

  /**
   * Puts the session back as the pool handed it out. The connection must have no transaction open
   * (the unit ended it). Leaves it in manual-commit mode, as the pool expects.
   *
   * @throws SQLException if any step failed: the caller must then discard the connection
   */
  @SuppressWarnings("unchecked")
  void reset(Connection conn) throws SQLException {
    conn.setAutoCommit(true); // DISCARD ALL cannot run inside a transaction block
    if (holdability != UNSET) {
      conn.setHoldability((Integer) holdability);
    }
    if (typeMap != UNSET) {
      conn.setTypeMap((Map<String, Class<?>>) typeMap);
    }
    if (clientInfo != UNSET) {
      conn.setClientInfo((Properties) clientInfo);
    }
    if (networkTimeout != UNSET) {
      conn.setNetworkTimeout(DIRECT, (Integer) networkTimeout);
    }
    if (server) {
      dialect.resetSession(conn, applicationName);
    }
    conn.setAutoCommit(false);
  }

  private static final Executor DIRECT = Runnable::run;
}
