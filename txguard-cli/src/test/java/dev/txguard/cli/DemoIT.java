package dev.txguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.txguard.cli.FakeStory.Behaviour;
import dev.txguard.cli.internal.Story;
import dev.txguard.test.Injected;
import dev.txguard.test.PostgresServer;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code txguard demo} end to end, against the test server and against its own embedded one. */
@TxguardTest(queue = false)
class DemoIT {
  @Injected static TestDatabase pg;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static List<String> urlArgs(String user, String password) {
    List<String> args = new ArrayList<>(List.of("demo", "--url", pg.url(), "--user", user));
    if (!password.isEmpty()) {
      args.addAll(List.of("--password", password));
    }
    return args;
  }

  @Test
  void everyStoryHoldsOnAnExistingServerAndTheDemoLeavesNothingBehind() throws Exception {
    List<String> args = urlArgs(pg.user(), pg.password());
    args.addAll(List.of("--json", "--seed", "11"));

    Run run = Run.of(args.toArray(String[]::new));

    assertThat(run.status()).as(run.err()).isZero();
    JsonNode report = MAPPER.readTree(run.out());
    assertThat(report.get("held").asBoolean()).isTrue();
    assertThat(report.get("server").get("mode").asText()).isEqualTo("url");
    assertThat(report.get("stories")).hasSize(5);
    for (JsonNode story : report.get("stories")) {
      assertThat(story.get("held").asBoolean()).as(story.toString()).isTrue();
      assertThat(story.get("txguard").get("faultShown").asBoolean()).isFalse();
    }
    assertThat(report.get("naiveFaults").asInt()).isGreaterThanOrEqualTo(4);
    // progress went to standard error, so standard output is the JSON alone
    assertThat(run.err()).contains("txguard demo: 5 stories, seed 11");
    assertThat(
            pg.queryLong("select count(*) from pg_namespace where nspname like 'txguard_demo_%'"))
        .isZero();
    assertThat(
            pg.queryLong(
                "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                    + " where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')"))
        .isZero();
    assertThat(
            pg.queryLong(
                "select count(*) from pg_stat_activity where application_name like 'txguard_demo_%'"))
        .isZero();
  }

  @Test
  void leakedTxNaiveShowsItsFaultWithTheSeedThatOnceShowedNothing() throws Exception {
    // issue 21: with this seed 0 of 40 requests timed out, yet the report said "fault shown"
    List<String> args = urlArgs(pg.user(), pg.password());
    args.addAll(List.of("--json", "--seed", "8925734642650995940", "leaked-tx"));

    Run run = Run.of(args.toArray(String[]::new));

    assertThat(run.status()).as(run.err()).isZero();
    JsonNode story = MAPPER.readTree(run.out()).get("stories").get(0);
    JsonNode naive = story.get("naive");
    assertThat(naive.get("faultShown").asBoolean()).as(naive.toString()).isTrue();
    assertThat(naive.get("counts").get("timedOutWaitingForConnection").asLong())
        .as(naive.toString())
        .isPositive();
    assertThat(naive.get("counts").get("notFound").asLong()).isGreaterThanOrEqualTo(4);
    assertThat(naive.get("detail").asText())
        .doesNotContainPattern("\\b1 (early returns|transactions|connections)\\b");
    assertThat(story.get("held").asBoolean()).isTrue();
  }

  @Test
  void aStoryWhoseTxguardVariantFailsIsNamedAndTheStatusIsOne() throws Exception {
    List<Story> stories =
        List.of(
            new FakeStory(1, "fine", Behaviour.FAULT, Behaviour.CLEAN),
            new FakeStory(2, "broken", Behaviour.FAULT, Behaviour.FAULT));
    List<String> args = urlArgs(pg.user(), pg.password());

    Run run = Run.of(stories, args.toArray(String[]::new));

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.errLines())
        .containsExactly("txguard: story broken failed: txguard variant one thing broke");
    assertThat(run.out()).contains("1 of 2 txguard variants FAILED (broken)");
    assertThat(run.out().lines().filter(l -> l.startsWith("2 ")).findFirst().orElseThrow())
        .endsWith("FAILED");
    assertThat(
            pg.queryLong("select count(*) from pg_namespace where nspname like 'txguard_demo_%'"))
        .isZero();
  }

  @Test
  void withoutUrlTheDemoRunsOnItsOwnEmbeddedServer() throws Exception {
    Run run = Run.of("demo", "--json", "--seed", "3", "pool-deadlock");

    assertThat(run.status()).as(run.err()).isZero();
    JsonNode report = MAPPER.readTree(run.out());
    assertThat(report.get("server").get("mode").asText()).isEqualTo("embedded");
    assertThat(report.get("stories")).hasSize(1);
    assertThat(report.get("stories").get(0).get("id").asText()).isEqualTo("pool-deadlock");
    assertThat(run.err())
        .contains("Starting embedded PostgreSQL ...")
        .containsPattern("ready in \\d+\\.\\d s");
  }

  @Test
  void wrongPasswordIsOneLineWithAUsageHintAndCreatesNothing() throws Exception {
    // only the embedded test server's pg_hba.conf can be changed to ask this user for a password
    assumeTrue(PostgresServer.get().embedded(), "needs the embedded test server");
    Path hba = Path.of(setting("hba_file"));
    String original = Files.readString(hba, StandardCharsets.UTF_8);
    pg.execute("create role txguard_demo_pw login password 'right'");
    try {
      Files.writeString(
          hba,
          "host all txguard_demo_pw 127.0.0.1/32 scram-sha-256\n"
              + "host all txguard_demo_pw ::1/128 scram-sha-256\n"
              + original,
          StandardCharsets.UTF_8);
      pg.execute("select pg_reload_conf()");

      Run run = Run.of(urlArgs("txguard_demo_pw", "wrong").toArray(String[]::new));

      assertThat(run.status()).isEqualTo(2);
      assertThat(run.errLines())
          .containsExactly(
              "txguard: cannot connect to "
                  + pg.url()
                  + ": password authentication failed for user \"txguard_demo_pw\"",
              "Usage hint: txguard demo --help");
      assertThat(run.out()).isEmpty();
      assertThat(
              pg.queryLong("select count(*) from pg_namespace where nspname like 'txguard_demo_%'"))
          .isZero();
    } finally {
      Files.writeString(hba, original, StandardCharsets.UTF_8);
      pg.execute("select pg_reload_conf()", "drop role txguard_demo_pw");
    }
  }

  private static String setting(String name) throws Exception {
    try (Connection c = pg.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("select setting from pg_settings where name = '" + name + "'")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
