package dev.txguard.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo's embedded server accepts only the demo's own connections. */
class EmbeddedLockdownIT {
  /** The fault: the demo's embedded PostgreSQL trusted every local connection while it ran. */
  @Test
  void theDemosEmbeddedServerTrustedEveryLocalConnection() throws Exception {
    List<String> progress = new ArrayList<>();
    try (DemoServer server = DemoServer.embedded(progress::add)) {
      ConnectionInfo demo = server.storyConnection();
      String url = demo.url();

      assertThatThrownBy(() -> new ConnectionInfo(url, "postgres", null).connect().close())
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isIn("28P01", "08004"));
      assertThatThrownBy(() -> new ConnectionInfo(url, "postgres", "guess").connect().close())
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
      try (Connection c = demo.connect();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "select count(*) from pg_hba_file_rules where auth_method = 'trust'")) {
        rs.next();
        assertThat(rs.getLong(1)).as("trust lines left in pg_hba.conf").isZero();
      }
      assertThat(url).startsWith("jdbc:postgresql://localhost:");
      assertThat(String.join("\n", progress)).doesNotContain(demo.password());
    }
  }
}
