package dev.txguard.internal.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PostgreSQL's rules for reading SQL text for transaction control and session changes; no database
 * needed.
 */
class PostgresSqlReaderTest {
  private static SqlVerdict read(String sql) {
    return PostgresDialect.INSTANCE.reader().verdict(sql);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "commit",
        "COMMIT",
        "  commit work",
        "end",
        "End Transaction",
        "rollback",
        "ROLLBACK AND CHAIN",
        "abort",
        "begin",
        "BEGIN ISOLATION LEVEL SERIALIZABLE",
        "start transaction",
        "savepoint s1",
        "release savepoint s1",
        "rollback to savepoint s1",
        "commit prepared 'x'",
        "rollback prepared 'x'",
        "insert into t values (1); commit",
        "select 1;commit;",
        "/* why */ commit",
        "-- note\ncommit",
        "select 'a;b'; rollback",
        "update t set x = $$;$$; end"
      })
  void transactionControlIsFound(String sql) {
    assertThat(read(sql).control()).as(sql).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "insert into t values (1); -- note\rcommit; begin",
        "select 1; -- x\r\nrollback",
        "select '\\''; commit; begin",
        "create index i on ba (begin, atomic); commit; begin",
        "do $€$ begin perform 1; end $€$; commit",
        "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
        "set transaction_isolation = 'serializable'",
        "set local transaction_read_only = on",
        "SET SESSION transaction_deferrable = on",
        // break-it, session 5: RESET made a read-only unit read-write, a SERIALIZABLE one read
        // committed
        "RESET transaction_read_only",
        "reset transaction_isolation",
        "/* x */ Reset \"transaction_deferrable\""
      })
  void hiddenOrUnusualTransactionControlIsFound(String sql) {
    assertThat(read(sql).control()).as(sql).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "do $$ begin perform 1; end $$",
        "do $body$ begin commit; end $body$",
        "call my_procedure()",
        "do $$ begin perform pg_advisory_lock(1); end $$",
        "select \"set_config\"('x.y', '1', false)",
        "set \"statement_timeout\" = '100'",
        "update pg_settings set setting = '100' where name = 'lock_timeout'",
        "create table \"pg_temp\".t (a int)",
        "select 'x' where set_config('a.b', 'c', false) is not null"
      })
  void sessionChangesInQuotesAndProceduralCodeAreFound(String sql) {
    SqlVerdict verdict = read(sql);
    assertThat(verdict.session()).as(sql).isTrue();
    assertThat(verdict.control()).as(sql).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"prepare transaction 'gx'", "PREPARE TRANSACTION 'x'"})
  void preparedTransactionsAreControl(String sql) {
    assertThat(read(sql).control()).isEqualTo("PREPARE TRANSACTION");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "select 1",
        "update t set note = 'commit' where id = 1",
        "insert into t(note) values ('rollback; begin')",
        "select \"end\" from t",
        "select case when a then 1 else 2 end from t",
        "set local statement_timeout = 5",
        "set constraints all deferred",
        "select 'a -- b', 1",
        "create index i on ba (begin, atomic)",
        "insert into t(note) values ('rollback; commit')",
        "select pg_advisory_xact_lock(1)",
        "select e'it''s \\' commit'",
        "create function f() returns int language sql begin atomic select 1; end",
        "create function g() returns int language sql begin atomic select case when true then 1 end; end",
        // is_local true: ends with the transaction, like SET LOCAL
        "select set_config('synchronous_commit', 'off', true)",
        "with c as (select now() as t, SET_CONFIG ( 'a.b' , 'it''s' , TRUE ) as m) select t from c",
        "select pg_catalog.set_config('lock_timeout', '5', true)"
      })
  void ordinarySqlIsClean(String sql) {
    assertThat(read(sql).clean()).as(sql).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "set search_path = s2",
        "SET statement_timeout = 100",
        "set session characteristics as transaction read only",
        "set role other",
        "set session authorization other",
        "reset all",
        "select set_config('x.y', '1', false)",
        // a set_config whose is_local is not the constant true may set the session
        "select set_config('x.y', '1', ?)",
        "select set_config('x.y', '1', true or false)",
        "select set_config('x.y', '1', trueish)",
        "select set_config('x.y', e'1', true)",
        "select set_config('x.y', '1' /* , true */, false)",
        "select set_config('x.y', '1', true), set_config('x.z', '2', false)",
        // U+3000 is an identifier character to PostgreSQL, not a blank: this reads a column
        "select set_config('x.y', '1',\u3000true)",
        "select set_config",
        "select pg_advisory_lock(7)",
        "select pg_try_advisory_lock_shared(1, 2)",
        "select pg_advisory_unlock_all()",
        "listen jobs",
        "unlisten *",
        "prepare p as select 1",
        "deallocate p",
        "declare c cursor with hold for select 1",
        "create temp table x (a int)",
        "CREATE TEMPORARY TABLE x (a int)",
        "select * into temp t2 from t",
        "create table pg_temp.x (a int)",
        "select nextval('s')",
        "select setval('s', 5)",
        "load 'auto_explain'",
        "discard plans",
        "select 1; set search_path = s2"
      })
  void sessionChangesAreFound(String sql) {
    SqlVerdict verdict = read(sql);
    assertThat(verdict.session()).as(sql).isTrue();
    assertThat(verdict.control()).as(sql).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"create table t (a int)", "drop table t", "alter table t add b int", "truncate t"})
  void ddlDoesNotCommitImplicitlyOnPostgres(String sql) {
    assertThat(read(sql).clean()).as(sql).isTrue();
  }

  /**
   * Break-it F2, PostgreSQL's side: {@code --} always starts a comment here, block comments nest,
   * and {@code :=} (named arguments) and a leading {@code if} or label are MariaDB's concerns only.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {"SELECT 1--1;COMMIT", "select 1 /* /* */ ; commit */", "select f(a := 1)"})
  void dashDashAlwaysStartsACommentAndBlockCommentsNest(String sql) {
    assertThat(read(sql).clean()).as(sql).isTrue();
  }
}
