package io.gatehouse.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link AbortiveClose} reaches the channel of every kind of connection the router closes: an
 * unpooled client connection (the keep-alive cache's; through a private Vert.x field, so a Vert.x
 * upgrade that moves it fails here), a pooled one, and a server one; and a reset closes it.
 */
@Timeout(60)
class AbortiveCloseIT {
  private Vertx vertx;
  private HttpServer server;
  private HttpClientAgent client;
  private final Promise<HttpConnection> serverSide = Promise.promise();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server =
        vertx
            .createHttpServer()
            .connectionHandler(serverSide::tryComplete)
            .requestHandler(r -> r.response().end("ok"))
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void an_unpooled_client_connection_is_reset() throws Exception {
    HttpClientConnection c =
        client
            .connect(new HttpConnectOptions().setHost("127.0.0.1").setPort(server.actualPort()))
            .await(10, TimeUnit.SECONDS);
    assertResetCloses(c);
  }

  @Test
  void a_pooled_client_connection_and_a_server_connection_are_reset() throws Exception {
    HttpClientRequest request =
        client
            .request(
                new RequestOptions()
                    .setMethod(HttpMethod.GET)
                    .setHost("127.0.0.1")
                    .setPort(server.actualPort()))
            .await(10, TimeUnit.SECONDS);
    assertThat(AbortiveClose.channel(request.connection())).as("pooled").isNotNull();
    // Vert.x reports an HTTP/1 server connection with its first request.
    assertThat(request.send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    HttpConnection serverConnection = serverSide.future().await(10, TimeUnit.SECONDS);
    assertResetCloses(serverConnection);
  }

  private void assertResetCloses(HttpConnection c) throws Exception {
    assertThat(AbortiveClose.channel(c)).as("channel of %s", c.getClass()).isNotNull();
    assertThat(AbortiveClose.stuck(c)).as("nothing unsent").isFalse();
    Promise<Void> closed = Promise.promise();
    c.closeHandler(v -> closed.tryComplete());
    assertThat(AbortiveClose.now(c)).isTrue();
    closed.future().await(10, TimeUnit.SECONDS);
    assertThat(AbortiveClose.now(c)).as("already closed").isFalse();
  }
}
