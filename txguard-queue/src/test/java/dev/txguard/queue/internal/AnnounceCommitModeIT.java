package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.test.Injected;
import dev.txguard.test.Progress;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The announcer's one statement (announce.sql) queues one notification per payload and makes its
 * own transaction commit asynchronously: after it, in the same transaction, {@code
 * synchronous_commit} is off even where the transaction had set it on (the embedded server's
 * default is off already, so the test turns it on first); the listener hears the payloads once the
 * transaction commits.
 */
@TxguardTest(queue = false)
class AnnounceCommitModeIT {
  @Injected static TestDatabase pg;

  @Test
  void theAnnouncementTurnsSynchronousCommitOffAndIsHeardAtCommit() throws Exception {
    Sql sql = new Sql("announce_mode");
    try (Connection listener = pg.connect();
        Connection c = pg.connect()) {
      try (Statement st = listener.createStatement()) {
        st.execute("listen " + sql.channel);
      }
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("set local synchronous_commit = on");
      }
      long sent;
      try (PreparedStatement ps = c.prepareStatement(sql.announce)) {
        ps.setString(1, sql.channel);
        ps.setArray(2, c.createArrayOf("text", new String[] {"a@0#x", "b@1#x"}));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          sent = rs.getLong(1);
        }
      }
      String mode;
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("show synchronous_commit")) {
        rs.next();
        mode = rs.getString(1);
      }
      c.commit();
      assertThat(sent).as("notifications sent").isEqualTo(2);
      assertThat(mode)
          .as("synchronous_commit after the announcement, in its transaction")
          .isEqualTo("off");
      List<String> heard = new ArrayList<>();
      PGConnection pgListener = listener.unwrap(PGConnection.class);
      Progress.awaitStep(
          "the listener hears both payloads",
          () -> {
            PGNotification[] ns = pgListener.getNotifications(200);
            for (PGNotification n : ns == null ? new PGNotification[0] : ns) {
              heard.add(n.getParameter());
            }
            return heard.size() >= 2;
          },
          () -> "heard so far: " + heard);
      assertThat(heard).as("payloads heard after the commit").containsExactly("a@0#x", "b@1#x");
    }
  }
}
