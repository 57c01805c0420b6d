package dev.txguard.examples.spring;

import dev.txguard.queue.JobContext;
import dev.txguard.queue.JobHandler;
import dev.txguard.queue.Schedule;
import dev.txguard.spring.JobKind;
import dev.txguard.spring.JobQueueCustomizer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** A periodic job: every minute (txguard.example.report-every), log the stock left. */
@Component
@JobKind("stock-report")
public class StockReport implements JobHandler<StockReport.Args> {
  private static final Logger LOG = LoggerFactory.getLogger(StockReport.class);

  /** The report's (empty) arguments. */
  public record Args() {}

  private final JdbcTemplate jdbc;

  public StockReport(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public Object handle(JobContext<Args> job) {
    Long left = jdbc.queryForObject("select coalesce(sum(qty), 0) from stock", Long.class);
    LOG.info("stock report: {} items left", left);
    return left;
  }

  /** Declares the schedule; each minute is enqueued once across all processes. */
  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  static class Schedules {
    @Bean
    JobQueueCustomizer stockReportSchedule(
        @org.springframework.beans.factory.annotation.Value("${txguard.example.report-every:1m}")
            Duration every) {
      return b -> b.schedule("stock-report", Schedule.every(every), new Args());
    }
  }
}
