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
    assertThat(ClaimSize.limit(5000, 1000)).isEqualTo(960);
  }

  @Test
  void roomsUpToSixtyFourAreClaimedExactly() {
    for (int room = 1; room <= 64; room++) {
      assertThat(ClaimSize.limit(room, 1000)).as("room %d", room).isEqualTo(room);
    }
  }

  @Test
  void largerRoomsAreRoundedDownToAnEighthOfTheirHighestPowerOfTwo() {
    assertThat(ClaimSize.limit(65, 1000)).isEqualTo(64);
    assertThat(ClaimSize.limit(79, 1000)).isEqualTo(72);
    assertThat(ClaimSize.limit(127, 1000)).isEqualTo(120);
    assertThat(ClaimSize.limit(128, 128)).isEqualTo(128);
    assertThat(ClaimSize.limit(1000, 1000)).isEqualTo(960);
  }

  @Test
  void everyLimitIsWithinTheRoomAndAtLeastSevenEighthsOfIt() {
    for (int batch = 1; batch <= ClaimSize.MAX; batch++) {
      for (int room = 1; room <= batch + 1; room++) {
        int limit = ClaimSize.limit(room, batch);
        int most = Math.min(room, batch);
        assertThat(limit).as("room %d, batch %d", room, batch).isBetween(1, most);
        assertThat(8 * limit).as("room %d, batch %d", room, batch).isGreaterThan(7 * most - 8);
      }
    }
  }

  @Test
  void aLargeBatchUsesEightLimitsPerDoubling() {
    TreeSet<Integer> limits = new TreeSet<>();
    for (int room = 65; room <= 128; room++) {
      limits.add(ClaimSize.limit(room, 1000));
    }
    assertThat(limits).containsExactly(64, 72, 80, 88, 96, 104, 112, 120, 128);
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
