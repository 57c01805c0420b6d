package dev.txguard.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where the demo's stories connect on MariaDB: the URL's database part replaced, the rest kept. */
class MariaDbDemoTest {
  private static String moved(String url) {
    return MariaDbDemo.inDatabase(new ConnectionInfo(url, "u", "p"), "txguard_demo_ab12").url();
  }

  @Test
  void theDatabasePartIsReplacedAndHostPortAndParametersKept() {
    assertThat(moved("jdbc:mariadb://db:3306/test?useSsl=false&x=1"))
        .isEqualTo("jdbc:mariadb://db:3306/txguard_demo_ab12?useSsl=false&x=1");
    assertThat(moved("jdbc:mariadb://db:3306/test"))
        .isEqualTo("jdbc:mariadb://db:3306/txguard_demo_ab12");
  }

  @Test
  void aUrlWithoutDatabaseGetsOne() {
    assertThat(moved("jdbc:mariadb://db:3306"))
        .isEqualTo("jdbc:mariadb://db:3306/txguard_demo_ab12");
    assertThat(moved("jdbc:mariadb://db:3306/"))
        .isEqualTo("jdbc:mariadb://db:3306/txguard_demo_ab12");
    assertThat(moved("jdbc:mariadb://db:3306?a=b/c"))
        .isEqualTo("jdbc:mariadb://db:3306/txguard_demo_ab12?a=b/c");
  }

  @Test
  void scriptsHaveTheirMariaDbForm() {
    assertThat(MariaDbDemo.script("leaked-tx.sql")).isEqualTo("leaked-tx.mariadb.sql");
  }
}
