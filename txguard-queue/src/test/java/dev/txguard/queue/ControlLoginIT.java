package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A control connection whose login the server refuses fails start() with a message naming
 * controlConnection, where the queue used to start, warn once, and run without notifications or
 * maintenance for good (break-it review, session 16: a wrong password). No password auth here: a
 * database and a role that do not exist are refused the same way (3D000, 28000).
 */
@TxguardTest(queue = false)
class ControlLoginIT {
  @Injected static TestDatabase pg;

  record Noop(int n) {}

  static Database db;

  @BeforeAll
  static void setUp() throws Exception {
    db = QueueFixture.db(pg, 4);
    JobQueue migrating = QueueFixture.builder(pg, db, "control_login").build();
    migrating.migrate();
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  private static JobQueue queue(String url, String user, String password) {
    return QueueFixture.builder(pg, db, "control_login")
        .controlConnection(url, user, password)
        .handle("noop", Noop.class, job -> null)
        .queue("default", 1)
        .build();
  }

  @Test
  void aDatabaseThatDoesNotExistFailsTheStart() {
    String password = pg.password().isEmpty() ? null : pg.password();
    JobQueue queue =
        queue(pg.url().replace("/" + pg.name(), "/no_such_database"), pg.user(), password);
    assertThatThrownBy(queue::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("control connection of queue schema control_login could not log in")
        .hasMessageContaining("SQLSTATE 3D000")
        .hasMessageContaining("controlConnection(url, user, password)");
    assertThat(queue.isLeader()).isFalse();
  }

  @Test
  void aRoleThatDoesNotExistFailsTheStart() {
    // 28000 under trust authentication, 28P01 where the server asks for a password
    JobQueue queue = queue(pg.url(), "no_such_role", "not-the-password-7");
    assertThatThrownBy(queue::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("control connection of queue schema control_login could not log in")
        .hasMessageContainingAll("SQLSTATE 28")
        .hasMessageContaining("no_such_role")
        .hasMessageNotContaining("not-the-password-7");
  }
}
