package dev.txguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.txguard.Transactions;
import dev.txguard.test.Injected;
import dev.txguard.test.TestDatabase;
import dev.txguard.test.TxguardTest;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * jOOQ in a @Transactional unit sees the unit's connection, over txguard's DataSource directly and
 * through Spring's TransactionAwareDataSourceProxy (what Spring Boot's jOOQ support wraps it in).
 */
@TxguardTest(queue = false)
@SpringBootTest(
    classes = TestApp.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {"txguard.queue.enabled=false", "txguard.pool-size=1"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class JooqIT {
  @Injected static TestDatabase tdb;

  @Autowired DataSource dataSource;
  @Autowired PlatformTransactionManager manager;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("txguard.url", () -> tdb.url());
    registry.add("txguard.username", () -> tdb.user());
    registry.add("txguard.password", () -> tdb.password());
  }

  private static long txid(DSLContext jooq) {
    return jooq.fetchValue(DSL.field("txid_current()", Long.class));
  }

  @Test
  void jooqRunsOnTheUnitsConnection() {
    DSLContext direct = DSL.using(dataSource, SQLDialect.POSTGRES);
    DSLContext proxied =
        DSL.using(new TransactionAwareDataSourceProxy(dataSource), SQLDialect.POSTGRES);
    long[] ids =
        new TransactionTemplate(manager)
            .execute(
                s ->
                    new long[] {
                      Transactions.current()
                          .orElseThrow()
                          .queryOne("select txid_current()", rs -> rs.getLong(1))
                          .orElseThrow(),
                      txid(direct),
                      txid(proxied)
                    });
    assertThat(ids[1]).as("jOOQ over db.dataSource()").isEqualTo(ids[0]);
    assertThat(ids[2]).as("jOOQ over TransactionAwareDataSourceProxy").isEqualTo(ids[0]);
  }
}
