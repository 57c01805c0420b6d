package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Break-it tests (brk11) of the statements that match a running attempt by its token and a lease
 * expiry instead of {@code state = 'running'} (the batched and the single completion, the
 * heartbeat, a give-up, a failure's record, a grouped attempt's cancel check): job_lease_check
 * makes the two equivalent, so a row an operator changed by hand is either refused by the
 * constraint or matched exactly as before.
 */
@TxguardTest(queue = false)
class LeaseMatchBreakIT {
  @Injected static TestDatabase pg;

  private static final String SCHEMA = "lease_break";
  private static final Sql SQL = new Sql(SCHEMA);

  @BeforeAll
  static void migrate() {
    try (Database db = ClaimFixture.db(pg)) {
      new Migrator(db, SQL).migrate();
    }
  }

  /** A running job inserted by hand; returns {id, token}. */
  private static String[] running(Connection c, String leaseExpiresAt) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "insert into "
                    + SCHEMA
                    + ".job (kind, queue, args, state, attempt, max_attempts, run_at, created_at,"
                    + " lease_owner, lease_token, lease_expires_at)"
                    + " values ('work', 'default', '{}', 'running', 1, 20, now(), now(), 'me',"
                    + " gen_random_uuid(), "
                    + leaseExpiresAt
                    + ") returning id, lease_token::text")) {
      rs.next();
      return new String[] {rs.getString(1), rs.getString(2)};
    }
  }

  private static String state(Connection c, String id) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "select state || ' ' || coalesce(lease_token::text, '-') || ' ' ||"
                    + " coalesce(lease_expires_at::text, '-') from "
                    + SCHEMA
                    + ".job where id = "
                    + id)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Runs one of the four statements for attempt {id, token}; returns how many rows it returned. */
  private static int run(Connection c, String statement, String[] attempt) throws SQLException {
    long id = Long.parseLong(attempt[0]);
    String token = attempt[1];
    String text =
        switch (statement) {
          case "complete_batch" -> SQL.completeBatch;
          case "heartbeat" -> SQL.heartbeat;
          case "give_up" -> SQL.giveUp;
          case "record_failure" -> SQL.recordFailure;
          case "complete" -> SQL.complete;
          case "cancel_check" -> SQL.cancelCheck;
          default -> throw new IllegalArgumentException(statement);
        };
    try (PreparedStatement ps = c.prepareStatement(text)) {
      if (!statement.equals("cancel_check")) {
        ps.setObject(1, null, Types.VARCHAR);
      }
      switch (statement) {
        case "complete" -> {
          ps.setString(2, null);
          ps.setLong(3, id);
          ps.setString(4, token);
        }
        case "cancel_check" -> {
          ps.setLong(1, id);
          ps.setString(2, token);
        }
        case "complete_batch" -> {
          ps.setArray(2, c.createArrayOf("bigint", new Long[] {id}));
          ps.setArray(3, c.createArrayOf("text", new String[] {token}));
          ps.setArray(4, c.createArrayOf("text", new String[] {null}));
        }
        case "heartbeat" -> {
          ps.setArray(2, c.createArrayOf("bigint", new Long[] {id}));
          ps.setArray(3, c.createArrayOf("text", new String[] {token}));
          ps.setLong(4, 30_000);
        }
        case "give_up" -> {
          ps.setLong(2, id);
          ps.setObject(3, token, Types.OTHER);
          ps.setString(4, "shutdown");
        }
        default -> {
          ps.setBoolean(2, false);
          ps.setLong(3, 0);
          ps.setLong(4, id);
          ps.setObject(5, token, Types.OTHER);
          ps.setString(6, "boom");
          ps.setString(7, null);
        }
      }
      int rows = 0;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows++;
        }
      }
      return rows;
    }
  }

  @AfterEach
  void deleteJobs() throws Exception {
    pg.execute("delete from " + SCHEMA + ".job"); // no running job left for the leak check
  }

  @Test
  void theConstraintRefusesARunningJobWithoutAFullLeaseAndAFullLeaseWithoutRunning()
      throws Exception {
    try (Connection c = pg.connect();
        Statement st = c.createStatement()) {
      String[] a = running(c, "now() + interval '30 seconds'");
      for (String change :
          List.of(
              "lease_expires_at = null",
              "lease_token = null",
              "state = 'available'",
              "state = 'completed', finalized_at = now()")) {
        assertThatThrownBy(
                () -> st.execute("update " + SCHEMA + ".job set " + change + " where id = " + a[0]))
            .as("update setting %s on a running job", change)
            .isInstanceOfSatisfying(
                SQLException.class,
                e -> assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("23514"));
      }
      assertThat(state(c, a[0])).startsWith("running " + a[1]);
    }
  }

  /** The statements that match a running attempt by its token and a lease expiry. */
  static List<String> statements() {
    return List.of(
        "complete_batch", "heartbeat", "give_up", "record_failure", "complete", "cancel_check");
  }

  /**
   * What an operator may do to a running job by hand, as job_lease_check allows: requeue it or end
   * it with its lease cleared, or move it out of running clearing only half of the lease (the
   * constraint only says that a non-running job has not both a token and an expiry).
   */
  @ParameterizedTest
  @MethodSource("statements")
  void aJobAnOperatorMovedOutOfRunningIsNotMatchedByTheOldAttempt(String statement)
      throws Exception {
    try (Connection c = pg.connect();
        Statement st = c.createStatement()) {
      for (String change :
          List.of(
              "state = 'available', lease_owner = null, lease_token = null,"
                  + " lease_expires_at = null",
              "state = 'cancelled', finalized_at = now(), lease_owner = null, lease_token = null,"
                  + " lease_expires_at = null",
              "state = 'available', lease_expires_at = null", // the token kept
              "state = 'available', lease_token = null", // the expiry kept
              "state = 'failed', finalized_at = now(), lease_expires_at = null")) {
        String[] a = running(c, "now() + interval '30 seconds'");
        st.execute("update " + SCHEMA + ".job set " + change + " where id = " + a[0]);
        String before = state(c, a[0]);
        assertThat(run(c, statement, a))
            .as("rows %s matched with the old token after %s", statement, change)
            .isZero();
        assertThat(state(c, a[0])).as("the row after %s", change).isEqualTo(before);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("statements")
  void anAttemptWhoseLeaseRanOutButWasNotRescuedIsStillMatchedAsBefore(String statement)
      throws Exception {
    try (Connection c = pg.connect()) {
      // the lease expired (a past or -infinity expiry) but maintenance has not rescued it: it is
      // still running, as state = 'running' matched it
      for (String expiry : List.of("now() - interval '1 hour'", "'-infinity'", "'infinity'")) {
        String[] a = running(c, expiry);
        assertThat(run(c, statement, a))
            .as("rows %s matched for a running attempt with lease expiry %s", statement, expiry)
            .isEqualTo(1);
        // a wrong token matches nothing
        String[] b = running(c, expiry);
        assertThat(run(c, statement, new String[] {b[0], a[1]}))
            .as("rows %s matched with another attempt's token", statement)
            .isZero();
        assertThat(state(c, b[0])).startsWith("running " + b[1]);
      }
    }
  }
}
