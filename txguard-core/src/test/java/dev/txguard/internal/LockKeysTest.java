package dev.txguard.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.AdvisoryLocks;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The advisory-lock key hashing every process must agree on, across JVMs and releases: pinned
 * values, the type tag, the namespace, the locking order, and the refusals. No database needed.
 */
class LockKeysTest {
  /** FNV-1a 64 over the bytes, folded to 32 bits, written out here from its definition. */
  private static int fnv1aFolded(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return (int) (h ^ (h >>> 32));
  }

  @Test
  void idsArePinnedAcrossReleases() {
    // changing any of these would make processes of two versions lock different keys
    assertThat(LockKeys.id("import:42"))
        .isEqualTo(fnv1aFolded("s:import:42"))
        .isEqualTo(1986513113);
    assertThat(LockKeys.id(42L)).isEqualTo(fnv1aFolded("l:42")).isEqualTo(1851541577);
    assertThat(LockKeys.id("")).isEqualTo(fnv1aFolded("s:"));
    assertThat(LockKeys.id("é")).isEqualTo(fnv1aFolded("s:é")); // UTF-8, not the platform charset
  }

  @Test
  void integerAndLongKeysAreTheSameKeyButAStringIsNot() {
    assertThat(LockKeys.id(7)).isEqualTo(LockKeys.id(7L));
    assertThat(LockKeys.id("7")).isNotEqualTo(LockKeys.id(7L));
    assertThat(LockKeys.id(Long.MIN_VALUE)).isEqualTo(fnv1aFolded("l:" + Long.MIN_VALUE));
  }

  @Test
  void everyLockIsInTxguardsNamespace() {
    assertThat(LockKeys.namespace()).isEqualTo(AdvisoryLocks.NAMESPACE).isEqualTo(0x74786764);
  }

  @Test
  void manyKeysAreLockedInOneGlobalOrderWithoutDuplicates() {
    Integer[] ids = LockKeys.sortedIds(List.of("b", "a", 3L, "a", 3));
    assertThat(ids).hasSize(3).isSorted();
    assertThat(Arrays.asList(ids))
        .containsExactlyInAnyOrder(LockKeys.id("a"), LockKeys.id("b"), LockKeys.id(3L));
    assertThat(LockKeys.sortedIds(List.of("a", "b")))
        .containsExactly(LockKeys.sortedIds(List.of("b", "a")));
  }

  @Test
  void otherKeyTypesAreRefusedNamingTheType() {
    assertThatThrownBy(() -> LockKeys.id(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("lock key must be a String or a Long, was java.lang.Double 1.5");
    assertThatThrownBy(() -> LockKeys.id(null))
        .hasMessage("lock key must be a String or a Long, was null");
    assertThatThrownBy(() -> LockKeys.sortedIds(null)).hasMessage("keys must not be null");
  }

  @Test
  void identifiersArePlainOrSchemaQualifiedNames() {
    assertThat(LockKeys.identifier("table", "app.orders")).isEqualTo("app.orders");
    assertThatThrownBy(() -> LockKeys.identifier("table", "orders; drop table x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "table must be an SQL identifier like name or schema.name, was orders; drop table x");
  }
}
