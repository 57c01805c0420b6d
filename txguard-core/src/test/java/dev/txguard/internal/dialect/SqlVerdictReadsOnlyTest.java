package dev.txguard.internal.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which statement texts only read ({@link SqlVerdict#readsOnly()}), by both dialects' readers: a
 * unit whose statements all read skips the transaction-id round trip before COMMIT. No database.
 */
class SqlVerdictReadsOnlyTest {
  private static final SqlReader POSTGRES = PostgresDialect.INSTANCE.reader();
  private static final SqlReader MARIADB = Dialects.forUrl("jdbc:mariadb://db:3306/app").reader();

  private static String text(String sql) {
    return sql.replace("\\n", "\n").replace("\\t", "\t");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "select 1",
        "SELECT qty FROM stock WHERE sku = ?",
        "  \\n\\t select count(*) from t",
        "(select 1) union (select 2)",
        "-- a comment\\nselect 1",
        "/* hint */ select * from t for update",
        "/* one */ -- two\\n /* three */ SELECT 1",
        "values (1), (2)",
        "table stock",
        "show statement_timeout",
        "select pointer from t", // "into" only as a whole word
        "select into_count, intox from t",
        "select 'insert into t' from t", // a literal is not a keyword
        "select 1 -- into\\n",
        "select 1; select 2",
        "select 1;",
      })
  void readsOnBothDialects(String sql) {
    assertThat(POSTGRES.verdict(text(sql)).readsOnly()).as("PostgreSQL: " + sql).isTrue();
    assertThat(MARIADB.verdict(text(sql)).readsOnly()).as("MariaDB: " + sql).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "insert into t values (1)",
        "update t set a = 1",
        "delete from t",
        "with moved as (delete from a returning *) select * from moved",
        "with x as (select 1) select * from x", // WITH may hold a data-modifying CTE
        "with x as (select 1) insert into t select * from x",
        "select * into copy from t",
        "SELECT a INTO TEMP x FROM t",
        "select a from t where b in (select c into d from e)",
        "select \"into\" from t", // a quoted "into": on the safe side
        "\"select\" from t",
        "explain analyze delete from t",
        "explain select 1",
        "call do_work()",
        "selectx from t",
        "",
        "   ",
        "-- only a comment",
        "/* only a comment */",
        "select 1; delete from t", // every statement counts, not only the first
        "select 1; commit", // control never reads only
        "set search_path = x",
        "lock table t",
      })
  void mayWriteOnBothDialects(String sql) {
    assertThat(POSTGRES.verdict(text(sql)).readsOnly()).as("PostgreSQL: " + sql).isFalse();
    assertThat(MARIADB.verdict(text(sql)).readsOnly()).as("MariaDB: " + sql).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "# a comment\\nselect 1",
        "select `into_x` from t",
        "select 1 /* into */",
        "select @v := 1", // sets a user variable (a session change), writes no data
      })
  void readsOnMariaDb(String sql) {
    assertThat(MARIADB.verdict(text(sql)).readsOnly()).as(sql).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "select 1 into @v",
        "select * from t into outfile '/tmp/x'",
        "/*! delete from t */",
        "/*!50000 insert into t values (1) */",
        "select 1; /*!delete from t*/",
        "set statement max_statement_time=1 for select 1",
        "replace into t values (1)",
        "select `into` from t",
      })
  void mayWriteOnMariaDb(String sql) {
    assertThat(MARIADB.verdict(text(sql)).readsOnly()).as(sql).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "select $$ delete from t $$",
        "select E'\\\\' ; select 2", // backslash read both ways: each reading must say reads
        "select $tag$ into $tag$ from t",
      })
  void readsOnPostgres(String sql) {
    assertThat(POSTGRES.verdict(text(sql)).readsOnly()).as(sql).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "select 'a\\'; delete from t; select '", // read with ordinary backslashes, a DELETE
        "select 1 into strict x",
      })
  void mayWriteOnPostgres(String sql) {
    assertThat(POSTGRES.verdict(text(sql)).readsOnly()).as(sql).isFalse();
  }
}
