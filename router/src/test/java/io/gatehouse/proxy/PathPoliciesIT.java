package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.AdminNode;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestUpstream;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The redirect and rewrite policies end to end: a node serving a routes file and the admin API, a
 * real upstream on loopback that answers with the target, Host and X-Forwarded-Prefix it received,
 * and clients over HTTP/1.1 and HTTP/2 (h2c, prior knowledge). The same routes are installed from
 * the file and over REST.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class PathPoliciesIT {
  static final String ADMIN = AdminNode.ADMIN;

  Path dir;
  Path file;
  Vertx vertx;
  AdminNode an;
  NodeFixture node;
  TestUpstream up;
  String dead;
  String acme;
  HttpClientAgent h1;
  HttpClientAgent h2;

  /** The routes of one host, as JSON route documents (YAML reads them as they are). */
  List<String> routes(String host) {
    return List.of(
        // A stripped prefix, a new Host, and a dead endpoint first: the retry sends the rewrite
        // too.
        """
        {"name": "%s-strip", "hosts": ["%s"], "paths": [{"type": "Prefix", "value": "/api"}],
         "backend": {"endpoints": ["%s", "%s"]},
         "policies": [{"type": "URLRewrite", "hostname": "backend.internal",
                       "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}}]}"""
            .formatted(host.charAt(0), host, dead, up.address()),
        """
        {"name": "%s-regex", "hosts": ["%s"], "paths": [{"type": "Prefix", "value": "/old"}],
         "backend": {"endpoints": ["%s"]},
         "policies": [{"type": "URLRewrite", "dropQuery": true,
                       "regex": {"pattern": "^/old/(?P<rest>.*)$", "substitution": "/new/${rest}"}}]}"""
            .formatted(host.charAt(0), host, up.address()),
        """
        {"name": "%s-dots", "hosts": ["%s"], "paths": [{"type": "Prefix", "value": "/dots"}],
         "backend": {"endpoints": ["%s"]},
         "policies": [{"type": "URLRewrite",
                       "regex": {"pattern": "^/dots/(.*)$", "substitution": "/$1/.."}}]}"""
            .formatted(host.charAt(0), host, up.address()),
        """
        {"name": "%s-docs", "hosts": ["%s"], "paths": [{"type": "Prefix", "value": "/docs"}],
         "backend": {"endpoints": ["%s"]},
         "policies": [{"type": "RequestRedirect", "scheme": "https", "hostname": "docs.example",
                       "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/v2"},
                       "statusCode": 301}]}"""
            .formatted(host.charAt(0), host, up.address()),
        """
        {"name": "%s-moved", "hosts": ["%s"], "paths": [{"type": "Prefix", "value": "/moved"}],
         "backend": {"endpoints": ["%s"]},
         "policies": [{"type": "RequestRedirect", "url": "https://example.com/new", "statusCode": 308}]}"""
            .formatted(host.charAt(0), host, up.address()),
        """
        {"name": "%s-root", "hosts": ["%s"], "paths": [{"type": "Prefix", "value": "/"}],
         "backend": {"endpoints": ["%s"]},
         "policies": [{"type": "RequestRedirect", "rootOnly": true,
                       "path": {"type": "ReplaceFullPath", "replaceFullPath": "/app1"}}]}"""
            .formatted(host.charAt(0), host, up.address()));
  }

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    dir = tmp;
    vertx = Vertx.vertx();
    up =
        TestUpstream.custom(
            vertx,
            req ->
                req.response()
                    .putHeader("Content-Type", "application/json")
                    .end(
                        new JsonObject()
                            .put("uri", req.uri())
                            .put(
                                "host", req.authority() == null ? null : req.authority().toString())
                            .put(
                                "prefix", new JsonArray(req.headers().getAll("x-forwarded-prefix")))
                            .encode()));
    try (ServerSocket s = new ServerSocket(0)) {
      dead = "127.0.0.1:" + s.getLocalPort();
    }
    an = AdminNode.start(dir, c -> c);
    node = an.node();
    acme = an.token();
    h1 = AdminNode.http1(vertx);
    h2 = AdminNode.h2c(vertx);
  }

  @AfterAll
  void stop() {
    AdminNode.stop(an, up, vertx);
  }

  @Test
  void from_the_routes_file_over_http1_and_http2() throws Exception {
    String host = "file.paths.example";
    String yaml =
        "routes:\n"
            + String.join(
                "\n", routes(host).stream().map(r -> "  - " + r.replace("\n", " ")).toList())
            + "\n";
    an.writeRoutes(yaml);
    await("file routes served")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> call(h1, host, "/moved").status == 308);
    assertServed(host);
  }

  @Test
  void from_rest_over_http1_and_http2() throws Exception {
    String host = "rest.paths.example";
    assertThat(an.admin("PUT", "/v1/tenants/acme/host-claims/" + host, acme, null).statusCode())
        .isEqualTo(201);
    for (String route : routes(host)) {
      JsonObject r = new JsonObject(route);
      String name = (String) r.remove("name");
      HttpResponse<String> put =
          an.admin("PUT", "/v1/tenants/acme/routes/" + name + "?wait=all", acme, r.encode());
      assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    }
    assertServed(host);
    JsonObject read =
        new JsonObject(an.admin("GET", "/v1/tenants/acme/routes/r-docs", acme, null).body());
    assertThat(read.getJsonArray("policies").getJsonObject(0).getJsonObject("path").getMap())
        .containsEntry("type", "ReplacePrefixMatch")
        .containsEntry("replacePrefixMatch", "/v2");
    read.remove("revision");
    HttpResponse<String> again =
        an.admin("PUT", "/v1/tenants/acme/routes/r-docs?wait=all", acme, read.encode());
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
  }

  @Test
  void rest_refuses_a_bad_rewrite_with_a_pointer() throws Exception {
    String host = "bad.paths.example";
    assertThat(an.admin("PUT", "/v1/tenants/acme/host-claims/" + host, acme, null).statusCode())
        .isEqualTo(201);
    String body =
        """
        {"hosts": ["%s"], "backend": {"endpoints": ["%s"]},
         "policies": [{"type": "URLRewrite",
                       "path": {"type": "ReplaceFullPath", "replaceFullPath": "/a/../admin"}}]}"""
            .formatted(host, up.address());
    HttpResponse<String> put = an.admin("PUT", "/v1/tenants/acme/routes/bad", acme, body);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(400);
    assertThat(put.body()).contains("/policies/0/path/replaceFullPath", "a normalised path");
  }

  private void assertServed(String host) throws Exception {
    for (HttpClientAgent client : List.of(h1, h2)) {
      String as = client == h1 ? "HTTP/1.1" : "HTTP/2";
      for (int i = 0; i < 4; i++) {
        // Round robin over a dead and a live endpoint: some of these are retries.
        Answer strip = call(client, host, "/api/a%2Fb/c?q=1&r=%C3%A9");
        assertThat(strip.status).as(as + " " + strip.body).isEqualTo(200);
        JsonObject seen = new JsonObject(strip.body);
        assertThat(seen.getString("uri")).as(as).isEqualTo("/a%2Fb/c?q=1&r=%C3%A9");
        assertThat(seen.getString("host")).as(as).isEqualTo("backend.internal");
        assertThat(seen.getJsonArray("prefix").getList()).as(as).containsExactly("/api");
      }
      JsonObject root = new JsonObject(call(client, host, "/api").body);
      assertThat(root.getString("uri")).as(as).isEqualTo("/");

      JsonObject regex = new JsonObject(call(client, host, "/old/x/y?drop=1").body);
      assertThat(regex.getString("uri")).as(as).isEqualTo("/new/x/y");
      assertThat(regex.getString("host")).as(as + ": the client's host").startsWith(host);
      assertThat(regex.getJsonArray("prefix").getList()).as(as).isEmpty();

      Answer dots = call(client, host, "/dots/a");
      assertThat(dots.status).as(as + ": a regex result with '..' is never sent").isEqualTo(400);
      assertThat(dots.headers.get("x-request-id")).as(as).isNotBlank();

      Answer docs = call(client, host, "/docs/guide?x=1");
      assertThat(docs.status).as(as).isEqualTo(301);
      assertThat(docs.headers.get("location"))
          .as(as)
          .isEqualTo("https://docs.example/v2/guide?x=1");

      Answer moved = call(client, host, "/moved/anything?x=1");
      assertThat(moved.status).as(as).isEqualTo(308);
      assertThat(moved.headers.get("location")).as(as).isEqualTo("https://example.com/new");

      Answer appRoot = call(client, host, "/");
      assertThat(appRoot.status).as(as).isEqualTo(302);
      assertThat(appRoot.headers.get("location"))
          .as(as + ": the client's port is kept")
          .isEqualTo("http://" + host + ":" + node.port() + "/app1");
      Answer app = call(client, host, "/app1/page");
      assertThat(app.status).as(as + ": only / is redirected").isEqualTo(200);
      assertThat(new JsonObject(app.body).getString("uri")).isEqualTo("/app1/page");
    }
  }

  record Answer(int status, MultiMap headers, String body) {}

  private Answer call(HttpClientAgent client, String host, String uri) throws Exception {
    RequestOptions o =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost("127.0.0.1")
            .setPort(node.port())
            .setURI(uri);
    // Nested: body() asked for as the head arrives (main's NestedBodyReadsTest, vert.x#6038).
    return client
        .request(o)
        .compose(
            r ->
                r.authority(HostAndPort.create(host, node.port()))
                    .send()
                    .compose(
                        resp ->
                            resp.body()
                                .map(
                                    b ->
                                        new Answer(
                                            resp.statusCode(), resp.headers(), b.toString()))))
        .await(30, TimeUnit.SECONDS);
  }
}
