package dev.txguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Database;
import dev.txguard.Fixture;
import dev.txguard.test.ClassDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Break-it F4: on MariaDB no transaction status is read from the driver, so "the unit started a
 * transaction" was "a statement went through txguard". A unit that wrote only through its unwrapped
 * connection counted as not started: CommitResolver answered NONE ("nothing to lose") and a COMMIT
 * lost on the way to the server passed for success. The lost COMMIT itself cannot be staged here on
 * MariaDB (txguard-test's FaultProxy reads PostgreSQL's wire protocol only), so this is a focused
 * test of the decision, on a real MariaDB: once the connection was handed out and written to
 * unwrapped, the unit counts as started and the commit path asks for an outcome instead of
 * declaring none needed.
 */
@Tag("mariadb-only") // dev.txguard.MariaDbOnly's tag: the MariaDB execution only
class MariaDbLentConnectionIT {
  @RegisterExtension static final ClassDatabase testDb = Fixture.classDatabase();
  static Database db;

  @BeforeAll
  static void setUp() throws SQLException {
    try (Connection c = testDb.connect();
        Statement s = c.createStatement()) {
      s.execute("create table lent (id int primary key)");
    }
    db =
        Database.builder()
            .url(testDb.url())
            .user(testDb.user())
            .password(testDb.password())
            .connectionTimeout(Duration.ofSeconds(5))
            .poolSize(1)
            .build();
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @Test
  void aUnitThatWroteOnlyThroughItsUnwrappedConnectionCountsAsStarted() throws Exception {
    long xid =
        db.inTx(
            tx -> {
              Connection raw = tx.connection().unwrap(Connection.class);
              try (Statement s = raw.createStatement()) {
                s.executeUpdate("insert into lent values (1)");
              }
              Unit unit = ThreadContext.get().innermost().unit;
              assertThat(unit.transactionStarted())
                  .as("a write txguard did not see, on a connection it handed out")
                  .isTrue();
              return unit.engine.resolver().xidBeforeCommit(unit);
            });
    assertThat(xid)
        .as("a lost COMMIT of this unit must be an unknown outcome, never 'nothing to commit'")
        .isNotEqualTo(CommitResolver.NONE);
    List<Integer> ids = db.inTx(tx -> tx.query("select id from lent", rs -> rs.getInt(1)));
    assertThat(ids).containsExactly(1);
  }
}
