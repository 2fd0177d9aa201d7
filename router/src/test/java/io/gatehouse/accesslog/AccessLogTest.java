package io.gatehouse.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** The observer: sampling, swapping options, and a blocked destination never blocking a request. */
@Timeout(30)
class AccessLogTest {
  final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  final AtomicReference<Double> dice = new AtomicReference<>(0.5);
  AccessLog log;

  /** Records each line it is handed. */
  final AccessLogSink capture =
      (bytes, length) -> {
        String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
        for (String l : text.split("\n")) {
          lines.add(l);
        }
      };

  @AfterEach
  void close() throws Exception {
    if (log != null) {
      log.close();
    }
  }

  static AccessLogOptions options(
      List<String> fields, double ratio, double errors, List<String> rules, int queue)
      throws AccessLogOptions.Problem {
    return AccessLogOptions.parse(true, AccessFormat.TEXT, fields, "", queue, ratio, errors, rules);
  }

  AccessLog start(AccessLogOptions o) throws Exception {
    log = AccessLog.start(o, file -> capture, dice::get);
    return log;
  }

  @Test
  void a_finished_exchange_is_written_with_the_chosen_fields() throws Exception {
    start(options(List.of("method", "path", "status", "userAgent", "route"), 1, 1, List.of(), 10));
    FakeView v = new FakeView();
    v.path = "/a";
    v.headers.set("user-agent", "ua/1");
    log.ended(v);
    await().atMost(Duration.ofSeconds(10)).until(() -> lines.size() == 1);
    assertThat(lines).containsExactly("\"GET\" \"/a\" 200 \"ua/1\" \"default/cli/shop\"");
    assertThat(log.written()).isEqualTo(1);
    assertThat(log.dropped()).isZero();
  }

  @Test
  void successes_and_errors_are_sampled_at_their_own_ratios() throws Exception {
    AccessLog l = start(options(List.of("status"), 0.3, 0.6, List.of(), 10));
    AccessLogOptions o = l.options();
    dice.set(0.5);
    assertThat(l.sampled(o, "default/cli/shop", 200)).isFalse();
    assertThat(l.sampled(o, "default/cli/shop", 404)).isTrue();
    assertThat(l.sampled(o, null, 503)).isTrue();
    dice.set(0.2);
    assertThat(l.sampled(o, "default/cli/shop", 302)).isTrue();
    dice.set(0.7);
    assertThat(l.sampled(o, "default/cli/shop", 500)).isFalse();
  }

  @Test
  void a_route_rule_overrides_the_node_ratios_and_off_writes_nothing() throws Exception {
    AccessLog l =
        start(
            options(
                List.of("status"),
                1,
                1,
                List.of("default/cli/health=off", "default/cli/api=0.1/1"),
                10));
    AccessLogOptions o = l.options();
    dice.set(0.0);
    assertThat(l.sampled(o, "default/cli/health", 200)).isFalse();
    assertThat(l.sampled(o, "default/cli/health", 500)).isFalse();
    dice.set(0.5);
    assertThat(l.sampled(o, "default/cli/api", 200)).isFalse();
    assertThat(l.sampled(o, "default/cli/api", 502)).isTrue();
    assertThat(l.sampled(o, "default/cli/other", 200)).isTrue();
  }

  @Test
  void ratio_one_and_zero_never_roll_the_dice() throws Exception {
    AccessLog l = start(options(List.of("status"), 1, 0, List.of(), 10));
    dice.set(Double.NaN); // would fail every comparison if it were read
    assertThat(l.sampled(l.options(), null, 200)).isTrue();
    assertThat(l.sampled(l.options(), null, 500)).isFalse();
  }

  @Test
  void new_options_apply_to_the_next_exchange() throws Exception {
    AccessLog l = start(options(List.of("status"), 1, 1, List.of(), 10));
    l.ended(new FakeView());
    await().atMost(Duration.ofSeconds(10)).until(() -> lines.size() == 1);
    l.apply(options(List.of("requestId", "status"), 1, 1, List.of(), 10));
    l.ended(new FakeView());
    await().atMost(Duration.ofSeconds(10)).until(() -> lines.size() == 2);
    assertThat(lines).containsExactly("200", "\"req-1\" 200");
    l.apply(AccessLogOptions.OFF);
    l.ended(new FakeView());
    assertThat(l.written()).isEqualTo(2);
    assertThat(l.dropped()).isZero();
  }

  @Test
  void a_blocked_destination_drops_and_counts_but_never_blocks_the_caller() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch inWrite = new CountDownLatch(1);
    AccessLogSink blocked =
        (bytes, length) -> {
          inWrite.countDown();
          try {
            release.await(20, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          capture.write(bytes, length);
        };
    log =
        AccessLog.start(
            options(List.of("requestId"), 1, 1, List.of(), 4), file -> blocked, dice::get);
    FakeView first = new FakeView();
    log.ended(first);
    assertThat(inWrite.await(10, TimeUnit.SECONDS)).isTrue(); // the writer is stuck in write
    for (int i = 0; i < 1000; i++) {
      FakeView v = new FakeView();
      v.requestId = "r" + i;
      log.ended(v);
    }
    // The calls returned while the destination was stuck (it is released only now): the queue
    // took 4, the rest were dropped and counted rather than waited for.
    assertThat(log.dropped()).isEqualTo(1000 - 4);
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> log.written() == 5);
    assertThat(lines).containsExactly("\"req-1\"", "\"r0\"", "\"r1\"", "\"r2\"", "\"r3\"");
  }

  /**
   * A rule for an id the served snapshot lacks does nothing: it is listed and warned about when it
   * becomes unknown (a publish or a reload), not again while it stays unknown, and again if its
   * route comes and goes. An older generation than the last checked changes nothing.
   */
  @Test
  void a_rule_naming_no_served_route_is_listed_and_warned_about_once() throws Exception {
    ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.class);
    warnings.start();
    logger.addAppender(warnings);
    try {
      AccessLog l =
          start(
              options(
                  List.of("status"),
                  1,
                  1,
                  List.of("default/cli/shop=off", "default/cli/ghost=0.5", "default/cli/gone=off"),
                  10));
      assertThat(l.unknownRouteRules()).as("before any snapshot").isEmpty();

      l.routesServed(1, () -> Set.of("default/cli/shop"));
      assertThat(l.unknownRouteRules()).containsExactly("default/cli/ghost", "default/cli/gone");
      assertThat(routes(warnings)).containsExactly("default/cli/ghost", "default/cli/gone");

      l.routesServed(2, () -> Set.of("default/cli/shop"));
      assertThat(routes(warnings)).as("still unknown: no new warning").hasSize(2);

      l.routesServed(3, () -> Set.of("default/cli/shop", "default/cli/ghost"));
      assertThat(l.unknownRouteRules()).containsExactly("default/cli/gone");

      l.routesServed(2, () -> Set.of());
      assertThat(l.unknownRouteRules())
          .as("an older generation")
          .containsExactly("default/cli/gone");

      l.routesServed(4, () -> Set.of("default/cli/shop"));
      assertThat(routes(warnings))
          .as("ghost's route went away again")
          .containsExactly("default/cli/ghost", "default/cli/gone", "default/cli/ghost");
      assertThat(warnings.list.get(0).getKeyValuePairs())
          .anySatisfy(
              kv -> {
                assertThat(kv.key).isEqualTo("key");
                assertThat(kv.value).isEqualTo("log.accessRoutes");
              });

      // a reload without rules: nothing unknown, and the served ids are not even asked for
      l.apply(options(List.of("status"), 1, 1, List.of(), 10));
      AtomicInteger asked = new AtomicInteger();
      Supplier<Set<String>> ids =
          () -> {
            asked.incrementAndGet();
            return Set.of();
          };
      l.routesServed(4, ids);
      assertThat(l.unknownRouteRules()).isEmpty();
      assertThat(asked).hasValue(0);
    } finally {
      logger.detachAppender(warnings);
    }
  }

  private static List<String> routes(ListAppender<ILoggingEvent> appender) {
    List<String> out = new ArrayList<>();
    for (ILoggingEvent e : appender.list) {
      e.getKeyValuePairs().stream()
          .filter(kv -> kv.key.equals("route"))
          .forEach(kv -> out.add(String.valueOf(kv.value)));
    }
    return out;
  }
}
