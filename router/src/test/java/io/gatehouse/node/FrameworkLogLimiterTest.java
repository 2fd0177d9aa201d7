package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The limiter on a Logback context of its own, so the test sees every decision it makes. */
class FrameworkLogLimiterTest {
  private final LoggerContext context = new LoggerContext();
  private final ListAppender<ILoggingEvent> written = new ListAppender<>();

  @BeforeEach
  void setUp() {
    written.setContext(context);
    written.start();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(written);
    FrameworkLogLimiter limiter = new FrameworkLogLimiter();
    limiter.setContext(context);
    limiter.start();
    context.addTurboFilter(limiter);
  }

  @Test
  void a_framework_warning_is_written_once_a_second_and_the_rest_held_back() {
    Logger netty = context.getLogger("io.netty.handler.codec.http2.Http2ConnectionHandler");
    Logger vertx = context.getLogger("io.vertx.core.impl.ContextImpl");
    // Before the fix, the filter's own isEnabledFor call re-entered the filter chain: every
    // framework warning ended in StackOverflowError on the logging thread (an event loop).
    netty.warn("first");
    netty.warn("second");
    vertx.error("third", new IllegalStateException("boom"));
    assertThat(written.list).extracting(ILoggingEvent::getMessage).containsExactly("first");
  }

  @Test
  void other_lines_and_disabled_levels_pass_untouched() {
    Logger gatehouse = context.getLogger("io.gatehouse.proxy.ProxyExchange");
    Logger netty = context.getLogger("io.netty.channel.DefaultChannelPipeline");
    netty.debug("not enabled, not counted");
    gatehouse.warn("a");
    gatehouse.warn("b");
    netty.info("info is not limited");
    netty.warn("the first framework warning still passes");
    assertThat(written.list)
        .extracting(ILoggingEvent::getMessage)
        .containsExactly(
            "a", "b", "info is not limited", "the first framework warning still passes");
  }
}
