package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.internal.dialect.Dialect;
import dev.txguard.internal.dialect.Dialects;
import dev.txguard.test.PostgresExtension;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fallback of the one use of a pgjdbc internal class ({@code PgjdbcState}): when connections do
 * not unwrap to pgjdbc's {@code BaseConnection} (another driver version, a wrapping DataSource),
 * txguard tracks the transaction status from the statements it sees, and every guarantee that does
 * not need the driver's status still holds. Real PostgreSQL; the connections are pgjdbc's, behind a
 * wrapper that hides what they are.
 */
@PostgresOnly(
    "the fallback for pgjdbc's internal transaction status (PgjdbcState); the MariaDB dialect always tracks the status itself")
class DialectFallbackIT {
  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
  static Database db;
  static final Dialect POSTGRES = Dialects.forUrl("jdbc:postgresql:fallback");

  @BeforeAll
  static void setUp() throws Exception {
    pg.execute("create table item (id int primary key)");
    db =
        Database.builder()
            .dataSource(new HidingDataSource())
            .poolSize(2)
            .connectionTimeout(Duration.ofSeconds(5))
            .build();
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @BeforeEach
  void clean() throws Exception {
    pg.execute("truncate item");
  }

  @Test
  void theWrapperHidesTheDriverStateWhichARealConnectionShows() throws Exception {
    try (Connection real = pg.connect();
        Connection hidden = new HidingDataSource().getConnection()) {
      assertThat(POSTGRES.driverConnection(real)).isNotNull();
      assertThat(POSTGRES.driverConnection(hidden)).isNull();
    }
    boolean unwraps =
        db.inTx(tx -> tx.connection().isWrapperFor(org.postgresql.PGConnection.class));
    assertThat(unwraps).isFalse();
  }

  @Test
  void aSwallowedErrorStillCannotCommit() {
    assertThatThrownBy(
            () ->
                db.useTx(
                    TxOptions.defaults().name("fallback"),
                    tx -> {
                      tx.update("insert into item values (1)");
                      try {
                        tx.update("insert into item values (1)");
                      } catch (StatementException e) {
                        // swallowed
                      }
                    }))
        .isInstanceOf(TransactionAbortedException.class)
        .hasMessageContaining("unit 'fallback'")
        .hasMessageContaining("SQLSTATE 23505");
    assertThat(count()).isZero();
  }

  @Test
  void aSavepointRecoversTheUnitWithoutTheDriverState() {
    db.useTx(
        tx -> {
          tx.update("insert into item values (1)");
          assertThatThrownBy(
                  () -> tx.savepoint(inner -> inner.update("insert into item values (1)")))
              .isInstanceOf(StatementException.class);
          tx.update("insert into item values (2)");
        });
    assertThat(count()).isEqualTo(2);
  }

  @Test
  void aTransactionBegunBySqlOnADataSourceConnectionIsRolledBackAtClose() throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("begin");
      st.execute("insert into item values (7)");
    }
    assertThat(count()).isZero();
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("insert into item values (8)"); // autocommit: would be lost inside a left-over
      // transaction
    }
    assertThat(count()).isEqualTo(1);
  }

  private static long count() {
    try {
      return pg.queryLong("select count(*) from item");
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  /** pgjdbc connections that unwrap to nothing but {@link Connection}. */
  private static final class HidingDataSource implements DataSource {
    @Override
    public Connection getConnection() throws SQLException {
      Connection real = pg.connect();
      return (Connection)
          Proxy.newProxyInstance(
              DialectFallbackIT.class.getClassLoader(),
              new Class<?>[] {Connection.class},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "isWrapperFor":
                    return false;
                  case "unwrap":
                    if (args[0] == Connection.class) {
                      return proxy;
                    }
                    throw new SQLException("not a wrapper for " + args[0]);
                  default:
                    try {
                      return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                      throw e.getCause();
                    }
                }
              });
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
