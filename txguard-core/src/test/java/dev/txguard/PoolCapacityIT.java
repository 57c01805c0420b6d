package dev.txguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.txguard.test.ClassDatabase;
import dev.txguard.test.PostgresExtension;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** build() checks every pool the database may open against the server's max_connections. */
class PoolCapacityIT {
  @RegisterExtension static final ClassDatabase testDb = Fixture.classDatabase();

  /**
   * The fault: poolSize(1000) against max_connections 200 silently took 199 of the server's slots.
   */
  @Test
  void poolSizesOverMaxConnectionsSilentlyTookTheServersSlots() throws Exception {
    long max =
        testDb.queryLong(
            Fixture.MARIADB
                ? "select @@max_connections"
                : "select current_setting('max_connections')::int");

    assertThatThrownBy(
            () -> Fixture.builder(testDb).poolSize(1).levelPoolSize((int) max).maxLevels(2).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "poolSize 1 + levelPoolSize "
                + max
                + " x 1 upper level (maxLevels 2)"
                + " + the advisory-lock pool 1 = "
                + (max + 2))
        .hasMessageContaining("max_connections " + max)
        .hasMessageContaining(
            "Lower poolSize, levelPoolSize or maxLevels so that they add up to at most " + max)
        .hasMessageContaining("or raise max_connections on the server");
  }

  @Test
  @PostgresOnly("PostgreSQL roles and superuser_reserved_connections")
  void aRoleThatIsNoSuperuserCannotCountTheReservedSlots() throws Exception {
    PostgresExtension pg = (PostgresExtension) testDb;
    Assumptions.assumeTrue(
        pg.server().embedded(), "needs a role that logs in without a password (embedded server)");
    long max = pg.queryLong("select current_setting('max_connections')::int");
    long reserved =
        pg.queryLong(
            "select current_setting('superuser_reserved_connections')::int"
                + " + coalesce(current_setting('reserved_connections', true), '0')::int");
    pg.execute(
        "do $$ begin if not exists (select from pg_roles where rolname = 'capacity_plain') then"
            + " create role capacity_plain login; end if; end $$");
    int levelPoolSize =
        (int) (max - reserved - 1); // with 1 + 1 for level 0 and locks: one over the limit

    assertThatThrownBy(
            () ->
                Database.builder()
                    .url(pg.url())
                    .user("capacity_plain")
                    .poolSize(1)
                    .levelPoolSize(levelPoolSize)
                    .maxLevels(2)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("= " + (levelPoolSize + 2) + " connections")
        .hasMessageContaining("max_connections " + max + " - superuser_reserved_connections")
        .hasMessageContaining("= " + (max - reserved));
    try (Database fits =
        Database.builder()
            .url(pg.url())
            .user("capacity_plain")
            .poolSize(1)
            .levelPoolSize(levelPoolSize - 1)
            .maxLevels(2)
            .build()) {
      int one = fits.inTx(tx -> tx.queryOne("select 1", rs -> rs.getInt(1)).orElseThrow());
      assertThat(one).isEqualTo(1);
    }
  }
}
