package io.gatehouse.proxy;

import static io.gatehouse.testing.NodeFixture.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.edge.EdgeLimits;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawH2;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * HTTP/2 streams whose request never ends and which then send nothing (a client holding stream
 * slots) are reset after the header-read deadline, and the connection they alone keep open is
 * closed; the upstream gets its requests back, another client is served throughout, and the log
 * gets no line per stream.
 */
@Timeout(90)
class H2IdleStreamIT {
  /** The header-read deadline of this node: the idle limit of a stream that sends nothing. */
  private static final Duration LIMIT = Duration.ofSeconds(2);

  private static final Duration WAIT = Duration.ofSeconds(10);

  static Vertx vertx;
  static TestUpstream up;

  /** Requests the upstream holds: received and neither answered nor closed. */
  static final AtomicInteger upstreamOpen = new AtomicInteger();

  static final AtomicInteger upstreamSeen = new AtomicInteger();
  static NodeFixture node;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up =
        TestUpstream.custom(
            vertx,
            req -> {
              upstreamSeen.incrementAndGet();
              upstreamOpen.incrementAndGet();
              AtomicBoolean released = new AtomicBoolean();
              Runnable release =
                  () -> {
                    if (released.compareAndSet(false, true)) {
                      upstreamOpen.decrementAndGet();
                    }
                  };
              req.response().closeHandler(v -> release.run());
              req.response().endHandler(v -> release.run());
              req.exceptionHandler(t -> release.run());
              req.end().onSuccess(v -> req.response().end("ok"));
            });
    EdgeLimits d = EdgeLimits.DEFAULTS;
    EdgeLimits limits =
        new EdgeLimits(
            d.maxHeaderBytes(),
            d.maxHeaderLineBytes(),
            d.maxHeaderCount(),
            d.maxRequestLineBytes(),
            LIMIT,
            d.keepAliveIdleTimeout(),
            d.maxConnections(),
            d.maxConnectionsPerClient(),
            d.underscoreHeaders(),
            d.overloadHeapRatio(),
            d.overloadLoopLag(),
            d.writeQueueBytes(),
            d.pacedConnectionsPerSecond());
    node =
        NodeFixture.start(
            c ->
                c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024))
                    .withLimits(limits),
            route("a", "a.example", up.address()));
  }

  @AfterAll
  static void stop() {
    node.close();
    up.close();
    vertx.close().await();
  }

  @Test
  void streams_that_never_end_are_reset_after_the_limit_and_their_connection_closed()
      throws Exception {
    int streams = 50;
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level rootLevel = root.getLevel();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    root.setLevel(Level.INFO);
    AtomicBoolean attackDone = new AtomicBoolean();
    AtomicInteger served = new AtomicInteger();
    AtomicReference<Throwable> legitFailure = new AtomicReference<>();
    Thread legit =
        new Thread(
            () -> {
              try (RawH2 c = RawH2.connect(node.port())) {
                for (int id = 1; !attackDone.get(); id += 2) {
                  c.headers(id, RawH2.request("GET", "a.example", "/legit"), true);
                  RawH2.Frame answer = c.await(RawH2.HEADERS, id, WAIT);
                  if (answer == null) {
                    throw new AssertionError("legitimate request " + id + " not answered");
                  }
                  served.incrementAndGet();
                }
              } catch (Throwable t) {
                legitFailure.set(t);
              }
            });
    try {
      legit.start();
      Set<Integer> reset = new HashSet<>();
      boolean closed = false;
      boolean goAwayAfterResets = false;
      long goAwayCode = -1;
      long early = -1;
      long closedAfter = -1;
      long started;
      try (RawH2 attacker = RawH2.connect(node.port())) {
        started = System.nanoTime();
        for (int i = 0; i < streams; i++) {
          // Half GETs (answered at once, then the request stays open), half POSTs (forwarded, the
          // upstream waits for a body that never comes); none ends its request.
          String method = i % 2 == 0 ? "GET" : "POST";
          attacker.headers(1 + 2 * i, RawH2.request(method, "a.example", "/idle/" + i), false);
        }
        long deadline = started + LIMIT.toNanos() + WAIT.toNanos() * 2;
        while (System.nanoTime() < deadline) {
          RawH2.Frame f = attacker.next(Duration.ofNanos(deadline - System.nanoTime()));
          if (f == null) {
            closed = true;
            closedAfter = System.nanoTime() - started;
            break;
          }
          if (f.type() == RawH2.RST_STREAM || f.type() == RawH2.GOAWAY) {
            if (System.nanoTime() - started < LIMIT.toNanos() && early < 0) {
              early = f.type() == RawH2.GOAWAY ? 0 : f.streamId();
            }
            if (f.type() == RawH2.RST_STREAM) {
              reset.add(f.streamId());
            } else if (reset.size() == streams) {
              goAwayAfterResets = true;
              goAwayCode = f.code();
            }
          }
        }
      }
      assertThat(early).as("a stream or the connection cut before the limit").isEqualTo(-1);
      // Every stream is reset, and the GOAWAY comes after the resets, before the close.
      assertThat(reset).as("streams reset").hasSize(streams);
      // (A local answer written on a stream the sweep had reset was a connection error in Netty:
      // GOAWAY(INTERNAL_ERROR, "Stream 3 in unexpected state CLOSED"), and the rest were lost.)
      assertThat(goAwayAfterResets).as("GOAWAY after every reset").isTrue();
      assertThat(goAwayCode).as("GOAWAY code").isEqualTo(RawH2.NO_ERROR);
      assertThat(closed).as("the connection closed").isTrue();
      assertThat(closedAfter).as("closed after (ns)").isGreaterThanOrEqualTo(LIMIT.toNanos());
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(upstreamOpen.get()).as("requests the upstream still holds").isZero());
    } finally {
      attackDone.set(true);
      legit.join(WAIT.toMillis() * 2);
      root.setLevel(rootLevel);
      root.detachAppender(logs);
    }
    assertThat(legitFailure.get()).as("the legitimate client").isNull();
    assertThat(served.get()).as("legitimate requests served").isPositive();
    List<String> lines =
        logs.list.stream()
            .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage())
            .toList();
    assertThat(lines).as("log lines").hasSizeLessThanOrEqualTo(2);
    assertThat(logs.list).noneMatch(e -> e.getThrowableProxy() != null);
  }
}
