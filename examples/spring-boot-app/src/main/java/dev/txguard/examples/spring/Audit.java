package dev.txguard.examples.spring;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** An audit trail that must survive its caller's rollback: REQUIRES_NEW, one pool level up. */
@Service
public class Audit {
  private final JdbcTemplate jdbc;

  public Audit(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  @Transactional(propagation = Propagation.REQUIRES_NEW)
  public void record(String what) {
    jdbc.update("insert into audit(what) values (?)", what);
  }
}
