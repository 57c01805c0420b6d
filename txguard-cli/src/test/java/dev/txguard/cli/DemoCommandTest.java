package dev.txguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing of {@code txguard demo} and its bad invocations that need no database. */
class DemoCommandTest {
  @Test
  void listDescribesAllFiveStoriesInOrder() {
    Run run = Run.of("demo", "--list");

    assertThat(run.status()).isZero();
    assertThat(run.out().lines().filter(l -> !l.startsWith(" ")).toList())
        .containsExactly(
            "1  complete-job    The 600-line completion without a transaction",
            "2  stale-release   Stale rows and tasks stuck in \"running\"",
            "3  leaked-tx       The transaction that never ended",
            "4  aborted-import  Swallowed errors in an aborted PostgreSQL transaction",
            "5  pool-deadlock   The pool that deadlocks on itself");
    assertThat(run.out().lines()).allMatch(l -> l.length() <= 100);
    assertThat(run.err()).isEmpty();
  }

  @Test
  void jsonListIsJsonWithEveryStorysDescription() throws Exception {
    Run run = Run.of("demo", "--json", "--list", "3", "5");

    assertThat(run.status()).isZero();
    JsonNode list = new ObjectMapper().readTree(run.out());
    assertThat(list.isArray()).isTrue();
    assertThat(list)
        .extracting(n -> n.get("id").asText())
        .containsExactly("leaked-tx", "pool-deadlock");
    assertThat(list.get(0).get("number").asInt()).isEqualTo(3);
    assertThat(list.get(0).get("title").asText()).isEqualTo("The transaction that never ended");
    assertThat(list.get(0).get("description").asText()).startsWith("Serves 40 requests");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void leakedTxListSaysWhatTheStoryDoesWithDeletedRecords() {
    Run run = Run.of("demo", "--list", "leaked-tx");

    String text = String.join(" ", run.out().lines().map(String::strip).toList());
    // the records are what is deleted; requests for them are guaranteed, not "about 25%"
    assertThat(text)
        .contains("about 25% of the 60 records are deleted (at least 4)")
        .contains("at least 4 of the first 20 requests ask for a deleted record and return early")
        .doesNotContain("about 25% ask for a deleted record");
  }

  @Test
  void storiesAreChosenByIdOrNumberAndRunInMissionOrder() {
    Run run = Run.of("demo", "--list", "pool-deadlock", "2", "LEAKED-TX", "5");

    assertThat(run.status()).isZero();
    assertThat(run.out().lines().filter(l -> !l.startsWith(" ")).map(l -> l.split("\\s+")[1]))
        .containsExactly("stale-release", "leaked-tx", "pool-deadlock");
  }

  @Test
  void unknownStoryIsOneLineWithAUsageHint() {
    Run run = Run.of("demo", "complete-job", "lost-update");

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.errLines())
        .containsExactly(
            "txguard: unknown story 'lost-update'; the stories are complete-job (1), stale-release (2),"
                + " leaked-tx (3), aborted-import (4), pool-deadlock (5)",
            "Usage hint: txguard demo --help");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void storyNumberOutOfRangeIsUnknown() {
    Run run = Run.of("demo", "6");

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.errLines().get(0)).startsWith("txguard: unknown story '6'");
  }

  @Test
  void unknownOptionIsOneLineWithAUsageHint() {
    Run run = Run.of("demo", "--fast");

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.errLines())
        .containsExactly("txguard: Unknown option: '--fast'", "Usage hint: txguard demo --help");
  }

  @Test
  void seedMustBeANumber() {
    Run run = Run.of("demo", "--seed", "abc");

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.errLines()).hasSize(2);
    assertThat(run.errLines().get(0))
        .startsWith("txguard: Invalid value for option '--seed'")
        .contains("abc");
  }

  @Test
  void userWithoutUrlIsRefused() {
    Run run = Run.of("demo", "--user", "postgres");

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.errLines())
        .containsExactly(
            "txguard: --user and --password need --url", "Usage hint: txguard demo --help");
  }

  @Test
  void onAMariaDbUrlStoryFourIsTheCaughtDeadlock() {
    Run run = Run.of("demo", "--list", "--url", "jdbc:mariadb://127.0.0.1:1/test");

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).contains("4  caught-deadlock").doesNotContain("aborted-import");
  }

  @Test
  void urlMustBeAPostgresOrMariaDbJdbcUrl() {
    Run run = Run.of("demo", "--url", "postgres://localhost/test");

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.errLines().get(0))
        .isEqualTo(
            "txguard: --url must be a PostgreSQL or MariaDB JDBC URL starting"
                + " with jdbc:postgresql:// or jdbc:mariadb://, was postgres://localhost/test");
  }

  @Test
  void aPasswordInTheUrlsUserInfoIsNeverPrinted() {
    // regression: a user:password@ URL was echoed whole; the password here holds @ and / too
    for (String[] args :
        List.of(
            new String[] {
              "migrate", "--url", "jdbc:postgresql://postgres:S3cr@t/Pw@127.0.0.1:1/postgres"
            },
            new String[] {
              "queue", "stats", "--url", "jdbc:postgresql://postgres:S3cr@t/Pw@127.0.0.1:1/postgres"
            },
            new String[] {
              "demo", "--url", "jdbc:postgresql://postgres:S3cr@t/Pw@127.0.0.1:1/postgres"
            })) {
      Run run = Run.of(args);
      assertThat(run.status()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(run.err())
          .as(String.join(" ", args))
          .doesNotContain("S3cr@t/Pw")
          .doesNotContain("S3cr")
          .contains("cannot connect to jdbc:postgresql://127.0.0.1:1/postgres");
      assertThat(run.out()).doesNotContain("S3cr");
    }
  }

  @Test
  void unreachableServerIsOneLineWithAUsageHint() {
    // port 1 on the loopback: refused at once, no server needed
    Run run =
        Run.of(
            "demo", "--url", "jdbc:postgresql://127.0.0.1:1/test?password=secret", "--user", "x");

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.errLines()).hasSize(2);
    assertThat(run.errLines().get(0))
        .startsWith(
            "txguard: cannot connect to jdbc:postgresql://127.0.0.1:1/test?password=***: Connection to"
                + " 127.0.0.1:1 refused");
    assertThat(run.errLines().get(1)).isEqualTo("Usage hint: txguard demo --help");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void noCommandShowsUsageAndFails() {
    Run run = Run.of();

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err()).contains("Usage: txguard").contains("demo");
  }

  @Test
  void helpNamesEveryOption() {
    Run run = Run.of("demo", "--help");

    assertThat(run.status()).isZero();
    assertThat(run.out())
        .contains("--list", "--json", "--seed", "--url", "--user", "--password", "STORY");
  }
}
