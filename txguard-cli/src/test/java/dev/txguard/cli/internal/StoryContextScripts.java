package dev.txguard.cli.internal;

import dev.txguard.test.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;

/** Runs a story's SQL script (a resource next to the stories) on a test database. */
final class StoryContextScripts {
  private StoryContextScripts() {}

  static void run(TestDatabase db, String resource) throws Exception {
    String script;
    try (InputStream in = StoryContext.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("missing resource " + resource);
      }
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      for (String sql : script.split(";\\s*(\\n|$)")) {
        if (!sql.isBlank()) {
          st.execute(sql);
        }
      }
    }
  }
}
