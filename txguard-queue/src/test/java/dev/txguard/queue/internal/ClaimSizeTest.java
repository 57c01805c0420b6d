package dev.txguard.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ClaimSizeTest {
  @Test
  void aRoomOfAtLeastTheBatchClaimsTheBatch() {
    assertThat(ClaimSize.limit(20, 20)).isEqualTo(20);
    assertThat(ClaimSize.limit(32, 20)).isEqualTo(20);
    assertThat(ClaimSize.limit(5000, 1000)).isEqualTo(1000);
  }

  @Test
  void aSmallerRoomIsRoundedDownToTwoSignificantBits() {
    assertThat(ClaimSize.limit(1, 20)).isEqualTo(1);
    assertThat(ClaimSize.limit(2, 20)).isEqualTo(2);
    assertThat(ClaimSize.limit(3, 20)).isEqualTo(3);
    assertThat(ClaimSize.limit(5, 20)).isEqualTo(4);
    assertThat(ClaimSize.limit(7, 20)).isEqualTo(6);
    assertThat(ClaimSize.limit(11, 20)).isEqualTo(8);
    assertThat(ClaimSize.limit(12, 20)).isEqualTo(12);
    assertThat(ClaimSize.limit(19, 20)).isEqualTo(16);
    assertThat(ClaimSize.limit(999, 1000)).isEqualTo(768);
  }

  @Test
  void everyLimitIsWithinTheRoomAndAtLeastTwoThirdsOfIt() {
    for (int batch = 1; batch <= ClaimSize.MAX; batch++) {
      for (int room = 1; room <= batch + 1; room++) {
        int limit = ClaimSize.limit(room, batch);
        assertThat(limit).as("room %d, batch %d", room, batch).isBetween(1, Math.min(room, batch));
        assertThat(3 * limit)
            .as("room %d, batch %d", room, batch)
            .isGreaterThanOrEqualTo(2 * Math.min(room, batch));
      }
    }
  }

  @Test
  void theDefaultBatchUsesFewDistinctLimits() {
    TreeSet<Integer> limits = new TreeSet<>();
    for (int room = 1; room <= 40; room++) {
      limits.add(ClaimSize.limit(room, 20));
    }
    assertThat(limits).containsExactly(1, 2, 3, 4, 6, 8, 12, 16, 20);
  }

  @Test
  void theClaimTextCarriesItsLimitAsAConstant() {
    Sql sql = new Sql("claim_size");
    assertThat(sql.claim(16)).contains("limit 16").doesNotContain("${limit}");
    assertThat(sql.claim(16)).isSameAs(sql.claim(16));
    assertThatThrownBy(() -> sql.claim(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("claim limit must be between 1 and 1000, was 0");
    assertThatThrownBy(() -> sql.claim(1001)).isInstanceOf(IllegalArgumentException.class);
  }
}
