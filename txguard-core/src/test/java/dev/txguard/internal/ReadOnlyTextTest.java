package dev.txguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which statement texts read only, for skipping the transaction-id round trip. No database. */
class ReadOnlyTextTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "select 1",
        "SELECT qty FROM stock WHERE sku = ?",
        "  \\n\\t select count(*) from t",
        "(select 1) union (select 2)",
        "-- a comment\\nselect 1",
        "/* hint */ select * from t for update",
        "values (1), (2)",
        "table stock",
        "show statement_timeout",
        "select pointer from t", // "into" only as a whole word
      })
  void reads(String sql) {
    assertThat(ReadOnlyText.readsOnly(sql.replace("\\n", "\n").replace("\\t", "\t"))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "insert into t values (1)",
        "update t set a = 1",
        "delete from t",
        "with moved as (delete from a returning *) select * from moved",
        "select * into copy from t",
        "SELECT a INTO TEMP x FROM t",
        "explain analyze delete from t",
        "call do_work()",
        "selectx from t",
        "",
        "-- only a comment",
      })
  void mayWrite(String sql) {
    assertThat(ReadOnlyText.readsOnly(sql)).isFalse();
  }

  @Test
  void unknownTextMayWrite() {
    assertThat(ReadOnlyText.readsOnly(null)).isFalse();
  }
}
