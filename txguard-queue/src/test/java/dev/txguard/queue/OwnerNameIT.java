package dev.txguard.queue;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.Database;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An owner outside printable ASCII is refused where it is set: PostgreSQL keeps only printable
 * ASCII in the session name, so processes() showed such an owner twice, a live session "w??rker"
 * and a dead owner of leases "wörker" (break-it review, session 16). U+0000 has a refusal of its
 * own, as in every text the queue stores.
 */
@TxguardTest(queue = false)
class OwnerNameIT {
  @Injected static TestDatabase pg;
  static Database db;

  @BeforeAll
  static void setUp() {
    db = QueueFixture.db(pg, 2);
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"wörker-ß-1", "node\t1", "node\n1", "x\u007f", "🙂"})
  void anOwnerOutsidePrintableAsciiIsRefusedNamingTheCharacter(String owner) {
    assertThatThrownBy(() -> JobQueue.builder(db).owner(owner))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("owner must be printable ASCII")
        .hasMessageMatching("(?s).*found U\\+[0-9A-F]{4} at index \\d+.*");
  }

  @ParameterizedTest
  @ValueSource(strings = {"worker-1", "host.example.com/4242/ab12cd34", "a b ~!@#$%^&*()"})
  void printableAsciiOwnersAreAccepted(String owner) {
    assertThatCode(() -> JobQueue.builder(db).owner(owner)).doesNotThrowAnyException();
  }
}
