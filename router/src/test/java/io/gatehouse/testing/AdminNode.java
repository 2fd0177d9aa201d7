package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.node.NodeConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A node that reads a routes file and serves the admin API on loopback, with the tenant {@code
 * acme} and a token for it: the fixture of the ITs that install one route from the file and over
 * REST and compare what the proxy does with each. h2c is on, so the same node serves HTTP/1.1 and
 * HTTP/2 clients.
 */
public final class AdminNode implements AutoCloseable {
  /** The admin token of every such node (tests only). */
  public static final String ADMIN = "itadmin.s3cr3t-s3cr3t-s3cr3t-s3cr3t-0123456789";

  public static final String TENANT = "acme";

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final NodeFixture node;
  private final Path dir;
  private final Path file;
  private String token;

  private AdminNode(NodeFixture node, Path dir, Path file) {
    this.node = node;
    this.dir = dir;
    this.file = file;
  }

  /** A node with an empty routes file in {@code dir}; {@code tweak} adjusts its configuration. */
  public static AdminNode start(Path dir, UnaryOperator<NodeConfig> tweak) throws Exception {
    Path file = dir.resolve("routes.yaml");
    Files.writeString(file, "routes: []\n");
    NodeFixture node =
        NodeFixture.start(
            c ->
                tweak.apply(
                    c.withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024))
                        .withRoutes(new NodeConfig.Routes(file.toString(), Duration.ofMillis(100)))
                        .withAdmin(admin())));
    AdminNode n = new AdminNode(node, dir, file);
    try {
      n.token = n.tenantToken(TENANT);
    } catch (Exception | AssertionError e) {
      n.close();
      throw e;
    }
    return n;
  }

  /** The admin API's configuration: loopback, port 0, {@link #ADMIN}. */
  public static NodeConfig.Admin admin() {
    return new NodeConfig.Admin(
        true, "127.0.0.1", 0, "", "", "", ADMIN, "", 10_000, 10_000, List.of());
  }

  public NodeFixture node() {
    return node;
  }

  /** The {@link #TENANT}'s token. */
  public String token() {
    return token;
  }

  /** Creates {@code tenant} and answers a token for it. */
  public String tenantToken(String tenant) throws Exception {
    assertThat(admin("PUT", "/v1/tenants/" + tenant, ADMIN, "{}").statusCode()).isEqualTo(201);
    HttpResponse<String> t = admin("POST", "/v1/tokens", ADMIN, "{\"tenant\":\"" + tenant + "\"}");
    assertThat(t.statusCode()).as(t.body()).isEqualTo(201);
    return new JsonObject(t.body()).getString("token");
  }

  /** One admin API call with {@code token}; {@code body} null sends none. */
  public HttpResponse<String> admin(String method, String path, String token, String body)
      throws Exception {
    return call(node, method, path, token, body);
  }

  /** One admin API call to {@code node}'s admin listener. */
  public static HttpResponse<String> call(
      NodeFixture node, String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.node().adminPort() + path))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Replaces the routes file in one step (the source never reads half a file). */
  public void writeRoutes(String yaml) throws IOException {
    Path tmp = Files.createTempFile(dir, "routes", ".tmp");
    Files.writeString(tmp, yaml);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** An HTTP/1.1 client of {@code vertx}. */
  public static HttpClientAgent http1(Vertx vertx) {
    return vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1));
  }

  /** An HTTP/2 client of {@code vertx} over cleartext with prior knowledge (no Upgrade). */
  public static HttpClientAgent h2c(Vertx vertx) {
    return vertx.createHttpClient(
        new HttpClientOptions()
            .setProtocolVersion(HttpVersion.HTTP_2)
            .setHttp2ClearTextUpgrade(false));
  }

  /**
   * Closes what a test class started, each when it was started (null otherwise): {@code node}, then
   * {@code upstream}, then {@code vertx}.
   */
  public static void stop(
      @Nullable AdminNode node, @Nullable TestUpstream upstream, @Nullable Vertx vertx) {
    if (node != null) {
      node.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Override
  public void close() {
    node.close();
  }
}
