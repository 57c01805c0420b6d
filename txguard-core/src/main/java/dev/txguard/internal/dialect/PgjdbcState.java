package dev.txguard.internal.dialect;

import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.core.BaseConnection;

/**
 * The one place where txguard uses a class of another library that is not that library's API:
 * pgjdbc's {@code org.postgresql.core.BaseConnection#getTransactionState()}, the transaction status
 * the server reports with every ReadyForQuery message (PostgreSQL documentation, "Message Flow": I
 * idle, T in a transaction, E in a failed transaction), which pgjdbc keeps but does not publish in
 * {@code org.postgresql.PGConnection}. Reading it costs no round trip, and it sees what no wrapper
 * can: errors raised and transactions ended through the driver's own connection.
 *
 * <p>Fallback: when the class or method is absent or changed (another pgjdbc version, or another
 * driver speaking to PostgreSQL), or the connection does not unwrap to it, {@link
 * #driverConnection} returns null and the runtime tracks the status from the statements it sees
 * instead (see {@code Unit}); what it then cannot see is a COMMIT or ROLLBACK sent through the
 * unwrapped driver connection. {@code DialectFallbackIT} runs units that way. Thread-safe.
 */
final class PgjdbcState {
  /** Whether pgjdbc's internal class is there with the method used, checked once. */
  static final boolean AVAILABLE = available();

  private PgjdbcState() {}

  private static boolean available() {
    try {
      Class<?> base =
          Class.forName(
              "org.postgresql.core.BaseConnection", false, PgjdbcState.class.getClassLoader());
      return base.getMethod("getTransactionState").getReturnType().isEnum();
    } catch (ReflectiveOperationException | LinkageError e) {
      return false;
    }
  }

  /**
   * The driver's connection under {@code pooled}, or null when it does not unwrap (see the
   * fallback).
   */
  static Connection driverConnection(Connection pooled) {
    if (!AVAILABLE) {
      return null;
    }
    try {
      return pooled.isWrapperFor(BaseConnection.class) ? pooled.unwrap(BaseConnection.class) : null;
    } catch (SQLException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  /** The status of {@code driver}'s transaction as the server last reported it. */
  static TransactionState state(Connection driver) {
    return switch (((BaseConnection) driver).getTransactionState()) {
      case IDLE -> TransactionState.IDLE;
      case OPEN -> TransactionState.OPEN;
      case FAILED -> TransactionState.FAILED;
    };
  }
}
