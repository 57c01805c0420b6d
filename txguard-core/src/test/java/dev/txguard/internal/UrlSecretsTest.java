package dev.txguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a URL's secrets are taken out and redacted. No database. */
class UrlSecretsTest {
  @Test
  void userInfoIsTakenOutOfAUrlWithoutAPath() {
    ConnectionSource.UserInfo info =
        ConnectionSource.userInfo("jdbc:postgresql://postgres:Sup3rSecret@127.0.0.1:5432");
    assertThat(info).isNotNull();
    assertThat(info.url()).isEqualTo("jdbc:postgresql://127.0.0.1:5432");
    assertThat(info.user()).isEqualTo("postgres");
    assertThat(info.password()).isEqualTo("Sup3rSecret");
  }

  @Test
  void passwordParametersAreRedactedAfterAnySeparator() {
    for (String text :
        new String[] {
          "jdbc:x://h/db?password=Sup3rSecret",
          "jdbc:x://h/db?user=u&password=Sup3rSecret",
          "jdbc:x://h/db?user=nope;password=Sup3rSecret",
          "see //u:Sup3rSecret@h/db"
        }) {
      assertThat(ConnectionSource.redact(text, null)).doesNotContain("Sup3rSecret").contains("***");
    }
  }
}
