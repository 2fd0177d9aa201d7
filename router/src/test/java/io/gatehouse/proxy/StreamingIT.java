package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Limits;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bodies stream both ways with back-pressure. Failsafe runs this JVM with -Xmx256m, shared by the
 * client, the node and the upstream, so a gigabyte that passes proves nothing is buffered whole.
 */
@Timeout(180)
class StreamingIT {
  static final long GIB = 1024L * 1024 * 1024;
  static final Buffer CHUNK = Buffer.buffer(new byte[64 * 1024]);

  static Vertx vertx;
  static TestUpstream up;
  static NodeFixture node;
  static final AtomicLong upstreamWritten = new AtomicLong();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up =
        TestUpstream.custom(
            vertx,
            req -> {
              if (req.path().startsWith("/download/")) {
                long size = Long.parseLong(req.path().substring("/download/".length()));
                upstreamWritten.set(0);
                HttpServerResponse resp = req.response().setChunked(true);
                writeN(resp, size, upstreamWritten, Promise.promise());
              } else if (req.path().equals("/upload")) {
                AtomicLong n = new AtomicLong();
                req.handler(b -> n.addAndGet(b.length()));
                req.endHandler(v -> req.response().end(Long.toString(n.get())));
              }
            });
    up.vertx()
        .createHttpServer()
        .webSocketHandler(ws -> ws.textMessageHandler(ws::writeTextMessage))
        .listen(0, "127.0.0.1")
        .await();
    RouteSpec big =
        NodeFixture.valid(
            new RouteSpec(
                RouteKey.of("default", "cli", "big"),
                List.of("big.example"),
                List.of(),
                Set.of(),
                List.of(),
                List.of(),
                BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", up.port()))),
                new Timeouts(
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(30),
                    Duration.ZERO),
                new Limits(0),
                0));
    node = NodeFixture.start(big);
  }

  @AfterAll
  static void stop() {
    node.close();
    up.close();
    vertx.close().await();
  }

  static void writeN(
      io.vertx.core.streams.WriteStream<Buffer> out,
      long remaining,
      AtomicLong written,
      Promise<Void> done) {
    long left = remaining;
    while (left > 0 && !out.writeQueueFull()) {
      Buffer b = left >= CHUNK.length() ? CHUNK : CHUNK.slice(0, (int) left);
      if (out instanceof HttpServerResponse r && r.closed()) {
        return; // the reader went away
      }
      out.write(b);
      written.addAndGet(b.length());
      left -= b.length();
    }
    if (left == 0) {
      out.end().onComplete(done);
    } else {
      long rest = left;
      out.drainHandler(v -> writeN(out, rest, written, done));
    }
  }

  @Test
  void a_gibibyte_uploads_through_the_proxy() throws Exception {
    HttpClientAgent client = vertx.createHttpClient();
    Promise<String> answer = Promise.promise();
    vertx.runOnContext(
        v ->
            client
                .request(
                    new RequestOptions()
                        .setMethod(HttpMethod.POST)
                        .setHost("127.0.0.1")
                        .setPort(node.port())
                        .setURI("/upload"))
                .onSuccess(
                    (HttpClientRequest r) -> {
                      r.authority(HostAndPort.create("big.example", -1));
                      r.setChunked(true);
                      r.response()
                          .compose(resp -> resp.body())
                          .map(Buffer::toString)
                          .onComplete(answer);
                      writeN(r, GIB, new AtomicLong(), Promise.promise());
                    })
                .onFailure(answer::fail));
    assertThat(answer.future().await(150, TimeUnit.SECONDS)).isEqualTo(Long.toString(GIB));
    client.close().await();
  }

  @Test
  void a_gibibyte_downloads_through_the_proxy() throws Exception {
    HttpClientAgent client = vertx.createHttpClient();
    Promise<Long> received = Promise.promise();
    vertx.runOnContext(
        v ->
            client
                .request(
                    new RequestOptions()
                        .setHost("127.0.0.1")
                        .setPort(node.port())
                        .setURI("/download/" + GIB))
                .compose(
                    r -> {
                      r.authority(HostAndPort.create("big.example", -1));
                      return r.send();
                    })
                .onSuccess(
                    resp -> {
                      AtomicLong n = new AtomicLong();
                      resp.handler(b -> n.addAndGet(b.length()));
                      resp.endHandler(x -> received.complete(n.get()));
                      resp.exceptionHandler(received::fail);
                    })
                .onFailure(received::fail));
    assertThat(received.future().await(150, TimeUnit.SECONDS)).isEqualTo(GIB);
    client.close().await();
  }

  @Test
  void a_slow_client_holds_the_upstream_back_instead_of_filling_memory() throws Exception {
    long size = 256L * 1024 * 1024;
    try (RawHttp raw = new RawHttp(node.port())) {
      raw.send("GET /download/" + size + " HTTP/1.1\r\nHost: big.example\r\n\r\n");
      InputStream in = raw.socket().getInputStream();
      in.readNBytes(16 * 1024);
      // Stop reading: the upstream must stall once the socket buffers and write queues are full.
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(new Stalled(upstreamWritten, 10));
      long inFlight = upstreamWritten.get();
      assertThat(inFlight).isLessThan(64L * 1024 * 1024);
      long total = 16 * 1024;
      byte[] buf = new byte[256 * 1024];
      int n;
      while (total < size + 1024 && (n = in.read(buf)) > 0) {
        total += n;
        if (upstreamWritten.get() == size && total >= size) {
          break;
        }
      }
      assertThat(total).isGreaterThanOrEqualTo(size);
    }
  }

  @Test
  void websocket_upgrade_passes_through_and_echoes() throws Exception {
    int wsPort = wsUpstreamPort();
    NodeFixture.route("ws", "ws.example", "127.0.0.1:" + wsPort);
    try (NodeFixture wsNode =
        NodeFixture.start(NodeFixture.route("ws", List.of(), List.of(), "127.0.0.1:" + wsPort))) {
      CompletableFuture<String> echoed = new CompletableFuture<>();
      WebSocket ws =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(
                  URI.create("ws://127.0.0.1:" + wsNode.port() + "/chat"),
                  new WebSocket.Listener() {
                    StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                      text.append(data);
                      if (last) {
                        echoed.complete(text.toString());
                      }
                      w.request(1);
                      return null;
                    }
                  })
              .get(10, TimeUnit.SECONDS);
      ws.sendText("hello through gatehouse", true);
      assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("hello through gatehouse");
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
    }
  }

  private static int wsPort = -1;

  private static synchronized int wsUpstreamPort() {
    if (wsPort < 0) {
      wsPort =
          vertx
              .createHttpServer()
              .webSocketHandler(ws -> ws.textMessageHandler(ws::writeTextMessage))
              .listen(0, "127.0.0.1")
              .await()
              .actualPort();
    }
    return wsPort;
  }

  /** True once {@code counter} has not moved for {@code polls} consecutive polls. */
  static final class Stalled implements java.util.concurrent.Callable<Boolean> {
    private final AtomicLong counter;
    private final int polls;
    private long last = -1;
    private int same;

    Stalled(AtomicLong counter, int polls) {
      this.counter = counter;
      this.polls = polls;
    }

    @Override
    public Boolean call() {
      long now = counter.get();
      same = now == last ? same + 1 : 0;
      last = now;
      return same >= polls;
    }
  }
}
