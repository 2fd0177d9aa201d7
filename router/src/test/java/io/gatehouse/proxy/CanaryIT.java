package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.AdminNode;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #13's canary through a real node: a route that splits 90/10 between a primary and a canary
 * whose rule reads the header {@code X-Canary} and the cookie {@code canary} (ingress-nginx's
 * precedence: header, then cookie, then weight). {@link #check} is the whole acceptance, for any
 * source that installs that route (the routes file and REST here, Kubernetes in {@code
 * KubernetesNodeIT}): header and cookie always/never over HTTP/1.1 (h2c in a test of its own), 10 %
 * ± 2 % of 10,000 requests left to the weights, and a second host served by the same primary that
 * never reaches the canary.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
public class CanaryIT {
  static final int REQUESTS = 10_000;
  static final int CLIENTS = 8;
  static final int FORCED = 200;
  static final String ADMIN = AdminNode.ADMIN;

  /**
   * Routes {@code host} 90/10 to {@code primary} and {@code canary} (the canary with the rule
   * header {@code X-Canary}, cookie {@code canary}), and {@code otherHost} to {@code primary} only.
   */
  @FunctionalInterface
  public interface Installer {
    void install(String host, String otherHost, TestUpstream primary, TestUpstream canary)
        throws Exception;
  }

  Path dir;
  Path file;
  Vertx vertx;
  AdminNode an;
  NodeFixture node;
  String acme;

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    dir = tmp;
    vertx = Vertx.vertx();
    an = AdminNode.start(dir, c -> c);
    node = an.node();
    acme = an.token();
  }

  @AfterAll
  void stop() {
    AdminNode.stop(an, null, vertx);
  }

  @Test
  void a_routes_file_canary_by_header_cookie_and_weight_behaves_as_ingress_nginx()
      throws Exception {
    check(vertx, node.port(), "file.canary.example", "file.other.example", this::fromFile);
  }

  @Test
  void a_rest_canary_by_header_cookie_and_weight_behaves_as_ingress_nginx() throws Exception {
    check(vertx, node.port(), "rest.canary.example", "rest.other.example", this::fromRest);
  }

  /**
   * Over h2c (prior knowledge) the rule reads the same header, and every {@code cookie} field, as
   * HTTP/2 may split the cookie into several. Its own client and first of its routes, so that the
   * h2c connection is fresh (see the branch report: an h2c stream after minutes of other traffic
   * was seen to get no answer, canary or not).
   */
  @Test
  @Order(1)
  void over_h2c_the_rule_reads_the_header_and_every_cookie_field() throws Exception {
    HttpClientAgent h2 =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
    String host = "h2c.canary.example";
    String other = "h2c.other.example";
    try (TestUpstream p = TestUpstream.counting(vertx, "P");
        TestUpstream c = TestUpstream.counting(vertx, "C")) {
      fromRest(host, other, p, c, "h2c");
      for (int i = 0; i < 20; i++) {
        assertThat(h2(h2, node.port(), host, "x-canary", "always", null)).isEqualTo("C");
        assertThat(h2(h2, node.port(), host, "x-canary", "never", List.of("canary=always")))
            .isEqualTo("P");
        assertThat(h2(h2, node.port(), host, null, null, List.of("a=1", "canary=always")))
            .isEqualTo("C");
        assertThat(h2(h2, node.port(), host, null, null, List.of("a=1", "canary=never")))
            .isEqualTo("P");
        assertThat(h2(h2, node.port(), other, "x-canary", "always", List.of("canary=always")))
            .isEqualTo("P");
      }
    } finally {
      h2.close().await(10, TimeUnit.SECONDS);
    }
  }

  private void fromFile(String host, String other, TestUpstream primary, TestUpstream canary)
      throws IOException {
    String yaml =
        """
        routes:
          - name: canary
            hosts: [%s]
            backendRefs:
              - weight: 90
                endpoints: ["%s"]
              - weight: 10
                endpoints: ["%s"]
                canary: {header: X-Canary, cookie: canary}
          - name: other
            hosts: [%s]
            backend:
              endpoints: ["%s"]
        """
            .formatted(host, primary.address(), canary.address(), other, primary.address());
    an.writeRoutes(yaml);
  }

  private void fromRest(String host, String other, TestUpstream primary, TestUpstream canary)
      throws Exception {
    fromRest(host, other, primary, canary, "canary");
  }

  private void fromRest(
      String host, String other, TestUpstream primary, TestUpstream canary, String name)
      throws Exception {
    for (String h : List.of(host, other)) {
      assertThat(an.admin("PUT", "/v1/tenants/acme/host-claims/" + h, acme, null).statusCode())
          .isEqualTo(201);
    }
    String route =
        """
        {"hosts": ["%s"],
         "backendRefs": [{"weight": 90, "endpoints": ["%s"]},
                         {"weight": 10, "endpoints": ["%s"],
                          "canary": {"header": "X-Canary", "cookie": "canary"}}]}"""
            .formatted(host, primary.address(), canary.address());
    HttpResponse<String> put =
        an.admin("PUT", "/v1/tenants/acme/routes/" + name + "?wait=all", acme, route);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    // What was written reads back with its rule.
    HttpResponse<String> read = an.admin("GET", "/v1/tenants/acme/routes/" + name, acme, null);
    assertThat(
            new JsonObject(read.body())
                .getJsonArray("backendRefs")
                .getJsonObject(1)
                .getJsonObject("canary"))
        .isEqualTo(new JsonObject().put("header", "x-canary").put("cookie", "canary"));
    String plain =
        "{\"hosts\": [\"%s\"], \"backend\": {\"endpoints\": [\"%s\"]}}"
            .formatted(other, primary.address());
    put = an.admin("PUT", "/v1/tenants/acme/routes/" + name + "-other?wait=all", acme, plain);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
  }

  /**
   * Starts the primary P and the canary C, has {@code install} route {@code host} and {@code
   * otherHost}, waits until the node at {@code port} serves both, then checks the acceptance (the
   * HTTP/2 part with {@code h2}, an h2c client, unless it is null).
   */
  public static void check(Vertx vertx, int port, String host, String otherHost, Installer install)
      throws Exception {
    try (TestUpstream p = TestUpstream.counting(vertx, "P");
        TestUpstream c = TestUpstream.counting(vertx, "C")) {
      install.install(host, otherHost, p, c);
      await("canary served for " + host)
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () ->
                  body(port, host, "X-Canary: always\r\n").equals("C")
                      && body(port, otherHost, "").equals("P"));

      // header, then cookie: each verdict over HTTP/1.1 (one keep-alive connection)
      assertThat(forced(port, host, "X-Canary: always\r\n")).as("header always").isEqualTo("C");
      assertThat(forced(port, host, "X-Canary: never\r\nCookie: canary=always\r\n"))
          .as("header never wins over the cookie")
          .isEqualTo("P");
      assertThat(forced(port, host, "X-Canary: maybe\r\nCookie: a=1; canary=always\r\n"))
          .as("another header value leaves it to the cookie")
          .isEqualTo("C");
      assertThat(forced(port, host, "Cookie: a=1; canary=never\r\n"))
          .as("cookie never")
          .isEqualTo("P");
      // the other host on the same primary never reaches the canary, whatever the request says
      int canaryBefore = c.count();
      assertThat(forced(port, otherHost, "X-Canary: always\r\nCookie: canary=always\r\n"))
          .as("the other host")
          .isEqualTo("P");
      assertThat(c.count()).isEqualTo(canaryBefore);

      // weight: requests the rule leaves alone (no header or cookie, another value, another
      // cookie) take the split's 10 %
      int p0 = p.count();
      int c0 = c.count();
      ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
      try {
        List<Future<Integer>> done = new ArrayList<>();
        for (int k = 0; k < CLIENTS; k++) {
          String extra =
              switch (k % 4) {
                case 0 -> "";
                case 1 -> "X-Canary: sometimes\r\n";
                case 2 -> "Cookie: canary=maybe; b=2\r\n";
                default -> "Cookie: other=always\r\n";
              };
          done.add(clients.submit(() -> keepAlive(port, host, extra, REQUESTS / CLIENTS)));
        }
        int ok = 0;
        for (Future<Integer> f : done) {
          ok += f.get(240, TimeUnit.SECONDS);
        }
        assertThat(ok).as("200 answers").isEqualTo(REQUESTS);
      } finally {
        clients.shutdownNow();
      }
      int toP = p.count() - p0;
      int toC = c.count() - c0;
      System.out.printf("CanaryIT %s: P=%d C=%d of %d%n", host, toP, toC, REQUESTS);
      assertThat(toP + toC).isEqualTo(REQUESTS);
      assertThat(toC).as("canary share (10 %%) of %d", REQUESTS).isBetween(800, 1_200);
    }
  }

  /** The one upstream that answered {@value #FORCED} requests with {@code extra} headers. */
  private static String forced(int port, String host, String extra) throws IOException {
    List<String> seen = new ArrayList<>();
    try (RawHttp client = new RawHttp(port)) {
      for (int i = 0; i < FORCED; i++) {
        client.send("GET /f" + i + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra + "\r\n");
        RawHttp.Response r = client.read();
        assertThat(r.status()).isEqualTo(200);
        if (!seen.contains(r.body())) {
          seen.add(r.body());
        }
      }
    }
    assertThat(seen).as("upstreams that answered " + extra.trim()).hasSize(1);
    return seen.get(0);
  }

  private static int keepAlive(int port, String host, String extra, int n) throws IOException {
    int ok = 0;
    try (RawHttp client = new RawHttp(port)) {
      for (int i = 0; i < n; i++) {
        client.send("GET /" + i + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra + "\r\n");
        if (client.read().status() == 200) {
          ok++;
        }
      }
    }
    return ok;
  }

  private static String body(int port, String host, String extra) throws IOException {
    RawHttp.Response r =
        RawHttp.exchange(
            port, "GET / HTTP/1.1\r\nHost: " + host + "\r\n" + extra + "Connection: close\r\n\r\n");
    return r.status() == 200 ? r.body() : r.status() + "";
  }

  private static String h2(
      HttpClientAgent client,
      int port,
      String host,
      String header,
      String value,
      List<String> cookies)
      throws Exception {
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(port)
            .setURI("/h2");
    if (header != null) {
      o.putHeader(header, value);
    }
    if (cookies != null) {
      for (String cookie : cookies) {
        o.addHeader("cookie", cookie);
      }
    }
    // Nested: body() asked for as the head arrives, as main's HeaderPoliciesIT (vert.x#6038): a
    // body() attached from the test thread after the whole answer arrived waited forever.
    return client
        .request(o)
        .compose(
            r ->
                r.authority(HostAndPort.create(host, port))
                    .send()
                    .compose(
                        resp ->
                            resp.body()
                                .map(
                                    b ->
                                        resp.statusCode() == 200
                                            ? b.toString()
                                            : resp.statusCode() + "")))
        .await(30, TimeUnit.SECONDS);
  }
}
