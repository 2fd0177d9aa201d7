package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.gatehouse.k8s.translate.TestCertificates;
import io.gatehouse.k8s.translate.gateway.GatewayKind;
import io.gatehouse.k8s.translate.gateway.GatewaySettings;
import io.gatehouse.k8s.watch.IngressWatcherIT;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.gatehouse.k8s.watch.testing.GatewayCrds;
import io.gatehouse.testing.GrpcEcho;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.TestPki;
import io.gatehouse.testing.TestUpstream;
import io.gatehouse.testing.TlsSockets;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Gateway API end to end: the upstream v1.7.0 CRDs on a real API server of its own (the shared
 * one of the other node tests never gets them), a whole node with {@code kubernetes.gatewayApi:
 * true} and its HTTP and HTTPS listeners, objects written as an operator would, and the answers
 * checked through the node's listeners and in the objects' {@code status}.
 *
 * <p>Same test seam as {@link KubernetesNodeIT}: EndpointSlices hold documentation addresses that
 * the node maps to loopback backends ({@link KubeNodeFixture}).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GatewayApiIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String OURS = GatewaySettings.CONTROLLER;
  private static final String PUBLISHED = "192.0.2.250";

  private static ApiServerHarness server;
  private static ApiClient admin;
  private static KubeNodeFixture fixture;
  private static KubeNodeFixture.Running node;
  private static String cls;
  private static String ingressCls;

  @BeforeAll
  static void start() throws Exception {
    server = ApiServerHarness.start();
    admin = server.adminClient();
    GatewayCrds.installStandard(server, Duration.ofSeconds(90));
    cls = "gatehouse-e2e";
    create(
        GatewayKind.GATEWAY_CLASS,
        "",
        """
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
         "metadata": {"name": "%s"}, "spec": {"controllerName": "%s"}}
        """
            .formatted(cls, OURS));
    ingressCls = IngressWatcherIT.ingressClass(admin, "e2e");
    fixture = new KubeNodeFixture();
    node =
        fixture.node(
            server,
            "",
            ingressCls,
            c ->
                c.withKubernetes(c.kubernetes().withGatewayApi("true", 80, 443))
                    // h2c beside HTTP/1.1 on the HTTP listener, for the gRPC client
                    .withHttp2(new NodeConfig.Http2(true, 100, 64 * 1024, 1024 * 1024))
                    .withTls(
                        new NodeConfig.Tls(
                            true,
                            "",
                            0,
                            "",
                            "",
                            NodeConfig.Tls.Engine.JDK,
                            Duration.ofSeconds(2),
                            443)));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (fixture != null) {
      fixture.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void a_gateway_with_http_and_https_listeners_serves_every_match_filter_and_weighted_backend()
      throws Exception {
    String ns = server.createNamespace("gw-e2e");
    String host = "shop.e2e.test";
    TestCertificates.Pair pair = TestCertificates.selfSigned(List.of(host));
    tlsSecret(ns, "shop-tls", pair);
    TestUpstream v1 = fixture.backendFor(admin, ns, "v1", "v1");
    TestUpstream v2 = fixture.backendFor(admin, ns, "v2", "v2");
    create(GatewayKind.GATEWAY, ns, gateway("gw", "shop-tls", ""));
    create(
        GatewayKind.HTTP_ROUTE,
        ns,
        """
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
         "metadata": {"name": "shop"},
         "spec": {"parentRefs": [{"name": "gw"}], "hostnames": ["%s"], "rules": [
          {"matches": [{"path": {"type": "Exact", "value": "/exact"}}],
           "backendRefs": [{"name": "v2", "port": 80}]},
          {"matches": [{"path": {"type": "PathPrefix", "value": "/h"},
                        "headers": [{"name": "x-version", "value": "2"}]}],
           "backendRefs": [{"name": "v2", "port": 80}]},
          {"matches": [{"path": {"type": "PathPrefix", "value": "/q"},
                        "queryParams": [{"name": "color", "value": "blue"}]}],
           "backendRefs": [{"name": "v2", "port": 80}]},
          {"matches": [{"path": {"type": "PathPrefix", "value": "/m"}, "method": "POST"}],
           "backendRefs": [{"name": "v2", "port": 80}]},
          {"matches": [{"path": {"type": "RegularExpression", "value": "/re/[0-9]+"}}],
           "backendRefs": [{"name": "v2", "port": 80}]},
          {"matches": [{"path": {"type": "PathPrefix", "value": "/modify"}}],
           "filters": [
            {"type": "RequestHeaderModifier", "requestHeaderModifier": {
              "set": [{"name": "x-set", "value": "literal ${not.a.variable}"}],
              "add": [{"name": "x-add", "value": "a"}], "remove": ["x-remove"]}},
            {"type": "ResponseHeaderModifier", "responseHeaderModifier": {
              "add": [{"name": "x-served-by", "value": "gatehouse"}],
              "remove": ["x-upstream"]}}],
           "backendRefs": [{"name": "v1", "port": 80}]},
          {"matches": [{"path": {"type": "PathPrefix", "value": "/old"}}],
           "filters": [{"type": "RequestRedirect", "requestRedirect": {
             "hostname": "new.e2e.test", "statusCode": 301,
             "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/new"}}}]},
          {"matches": [{"path": {"type": "PathPrefix", "value": "/rewrite"}}],
           "filters": [{"type": "URLRewrite", "urlRewrite": {
             "hostname": "internal.e2e.test",
             "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/v2"}}}],
           "backendRefs": [{"name": "v1", "port": 80}]},
          {"matches": [{"path": {"type": "PathPrefix", "value": "/split"}}],
           "backendRefs": [{"name": "v1", "port": 80, "weight": 1},
                           {"name": "v2", "port": 80, "weight": 3}]},
          {"backendRefs": [{"name": "v1", "port": 80}]}]}}
        """
            .formatted(host));

    String regexHost = "regex.e2e.test";
    create(
        GatewayKind.HTTP_ROUTE,
        ns,
        """
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
         "metadata": {"name": "regex"},
         "spec": {"parentRefs": [{"name": "gw"}], "hostnames": ["%s"], "rules": [
          {"matches": [{"path": {"type": "RegularExpression", "value": "/re/[0-9]+"}}],
           "backendRefs": [{"name": "v2", "port": 80}]}]}}
        """
            .formatted(regexHost));

    // the class, the Gateway and the route, as the spec shapes them
    await("GatewayClass accepted")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonObject status = status(get(GatewayKind.GATEWAY_CLASS, "", cls));
              assertReason(status, "Accepted", "True", "Accepted");
              assertReason(status, "SupportedVersion", "True", "SupportedVersion");
            });
    await("Gateway programmed")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonObject status = status(get(GatewayKind.GATEWAY, ns, "gw"));
              assertThat(status.getAsJsonArray("addresses"))
                  .isEqualTo(json("[{\"type\": \"IPAddress\", \"value\": \"" + PUBLISHED + "\"}]"));
              assertReason(status, "Accepted", "True", "Accepted");
              assertReason(status, "Programmed", "True", "Programmed");
              JsonArray listeners = status.getAsJsonArray("listeners");
              assertThat(listeners).hasSize(2);
              for (JsonElement l : listeners) {
                JsonObject listener = l.getAsJsonObject();
                assertThat(listener.get("attachedRoutes").getAsInt())
                    .as(listener.get("name").getAsString())
                    .isEqualTo(2);
                assertReason(listener, "Accepted", "True", "Accepted");
                assertReason(listener, "Programmed", "True", "Programmed");
                assertReason(listener, "ResolvedRefs", "True", "ResolvedRefs");
              }
            });
    await("HTTPRoute accepted")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonObject parent = ourParent(get(GatewayKind.HTTP_ROUTE, ns, "shop"));
              assertThat(parent.getAsJsonObject("parentRef").get("name").getAsString())
                  .isEqualTo("gw");
              assertReason(parent, "Accepted", "True", "Accepted");
              assertReason(parent, "ResolvedRefs", "True", "ResolvedRefs");
            });
    await("served")
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(node.get(host, "/").body()).isEqualTo("v1"));

    // matches
    assertThat(node.get(host, "/exact").body()).isEqualTo("v2");
    assertThat(node.get(host, "/exact/more").body()).isEqualTo("v1");
    assertThat(send(host, "GET /h HTTP/1.1", "x-version: 2").body()).isEqualTo("v2");
    assertThat(send(host, "GET /h HTTP/1.1", "x-version: 3").body()).isEqualTo("v1");
    assertThat(node.get(host, "/q?color=blue").body()).isEqualTo("v2");
    assertThat(node.get(host, "/q?color=red").body()).isEqualTo("v1");
    assertThat(send(host, "POST /m HTTP/1.1", "content-length: 0").body()).isEqualTo("v2");
    assertThat(node.get(host, "/m").body()).isEqualTo("v1");
    // documented precedence: every prefix, even the catch-all "/", before regular expressions
    assertThat(node.get(host, "/re/42").body()).isEqualTo("v1");
    // without a prefix in the way: the whole path must match the expression
    await("regex route served")
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(node.get(regexHost, "/re/42").body()).isEqualTo("v2"));
    assertThat(node.get(regexHost, "/re/x").status()).isEqualTo(404);
    assertThat(node.get(regexHost, "/re/42/more").status()).isEqualTo(404);
    assertThat(node.get("other.e2e.test", "/").status()).isEqualTo(404);

    // header modifiers: the request as the backend saw it, the response as the client sees it
    while (!v1.receivedNothing()) {
      v1.take();
    }
    RawHttp.Response modified = send(host, "GET /modify HTTP/1.1", "x-remove: 1", "x-set: old");
    assertThat(modified.body()).isEqualTo("v1");
    assertThat(modified.header("x-served-by")).isEqualTo("gatehouse");
    assertThat(modified.header("x-upstream")).isNull();
    TestUpstream.Recorded seen = v1.take();
    assertThat(seen.header("x-set")).isEqualTo("literal ${not.a.variable}");
    assertThat(seen.header("x-add")).isEqualTo("a");
    assertThat(seen.header("x-remove")).isNull();

    // redirect and rewrite
    RawHttp.Response redirect = node.get(host, "/old/page?x=1");
    assertThat(redirect.status()).isEqualTo(301);
    assertThat(redirect.header("location")).isEqualTo("http://new.e2e.test/new/page?x=1");
    assertThat(node.get(host, "/rewrite/item").body()).isEqualTo("v1");
    TestUpstream.Recorded rewritten = v1.take();
    assertThat(rewritten.uri()).isEqualTo("/v2/item");
    assertThat(rewritten.header("host")).isEqualTo("internal.e2e.test");

    // weights 1:3: v1 expects 50 of 200 (sd 6.1); outside 20..80 is below 1e-6 at random
    int toV1 = 0;
    for (int i = 0; i < 200; i++) {
      String body = node.get(host, "/split").body();
      assertThat(body).isIn("v1", "v2");
      toV1 += body.equals("v1") ? 1 : 0;
    }
    assertThat(toV1).isBetween(20, 80);

    // HTTPS: the listener's certificate, the same routes
    try (SSLSocket s = TlsSockets.open(node.node().httpsPort(), host)) {
      assertThat(s.getSession().getPeerCertificates()[0]).isEqualTo(certificate(pair));
      assertThat(TlsSockets.get(s, host, "/exact")).startsWith("HTTP/1.1 200").endsWith("v2");
    }
  }

  @Test
  void a_missing_service_is_backend_not_found_and_the_route_stays_accepted() throws Exception {
    String ns = server.createNamespace("gw-missing");
    String host = "missing.e2e.test";
    fixture.backendFor(admin, ns, "web", "web");
    create(GatewayKind.GATEWAY, ns, gateway("gw", null, ""));
    create(
        GatewayKind.HTTP_ROUTE,
        ns,
        """
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
         "metadata": {"name": "partly"},
         "spec": {"parentRefs": [{"name": "gw", "sectionName": "http"}], "hostnames": ["%s"],
          "rules": [
           {"matches": [{"path": {"type": "PathPrefix", "value": "/gone"}}],
            "backendRefs": [{"name": "nosuch", "port": 80}]},
           {"backendRefs": [{"name": "web", "port": 80}]}]}}
        """
            .formatted(host));

    await("route accepted with an unresolved backend")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonObject parent = ourParent(get(GatewayKind.HTTP_ROUTE, ns, "partly"));
              assertReason(parent, "Accepted", "True", "Accepted");
              assertReason(parent, "ResolvedRefs", "False", "BackendNotFound");
              assertThat(condition(parent, "ResolvedRefs").get("message").getAsString())
                  .contains("nosuch");
            });
    // the same condition in /status (and so on the dashboard) as the route's problem
    await("the problem in /status")
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(problemsOf(ns + "/partly"))
                    .singleElement()
                    .satisfies(
                        p -> {
                          assertThat(p.getString("kind")).isEqualTo("HTTPRoute");
                          assertThat(p.getString("object"))
                              .isEqualTo(ns + "/partly parent gw http");
                          assertThat(p.getString("reason")).isEqualTo("BackendNotFound");
                          assertThat(p.getString("message")).contains("nosuch");
                        }));
    await("the valid rule served")
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(node.get(host, "/").body()).isEqualTo("web"));
    // the unresolved backend: Gatehouse answers 500 itself, as the spec asks
    assertThat(node.get(host, "/gone").status()).isEqualTo(500);
    assertThat(
            attached(
                status(get(GatewayKind.GATEWAY, ns, "gw")).getAsJsonArray("listeners"), "http"))
        .isEqualTo(1);

    // the Service appears: the reference resolves and its rule is served
    fixture.backendFor(admin, ns, "nosuch", "late");
    await("resolved once the Service exists")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonObject parent = ourParent(get(GatewayKind.HTTP_ROUTE, ns, "partly"));
              assertReason(parent, "ResolvedRefs", "True", "ResolvedRefs");
              assertThat(node.get(host, "/gone").body()).isEqualTo("late");
            });
    await("the problem gone from /status")
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(problemsOf(ns + "/partly")).isEmpty());
  }

  /** {@code /status kubernetes.problems} of the objects whose name starts with {@code object}. */
  private static List<io.vertx.core.json.JsonObject> problemsOf(String object) {
    return node.node().statusJson().getJsonObject("kubernetes").getJsonArray("problems").stream()
        .map(io.vertx.core.json.JsonObject.class::cast)
        .filter(p -> p.getString("object").startsWith(object + " "))
        .toList();
  }

  /**
   * The tenant-isolation test of issue #17: a route of namespace B cannot attach to a listener that
   * admits only namespace A, nor use A's Service or Secret without a ReferenceGrant in A (the
   * Service's share answers 500, RefNotPermitted); with the grants both resolve and are served.
   */
  @Test
  void namespace_b_cannot_attach_to_or_borrow_from_namespace_a_without_a_reference_grant()
      throws Exception {
    String a = server.createNamespace("team-a");
    String b = server.createNamespace("team-b");
    String aHost = "a.tenants.test";
    String bHost = "b.tenants.test";
    // A serves its own certificate; the one B tries to borrow is used by nobody in A
    tlsSecret(a, "a-own", TestCertificates.selfSigned(List.of(aHost)));
    TestCertificates.Pair aCert = TestCertificates.selfSigned(List.of(bHost));
    tlsSecret(a, "a-cert", aCert);
    TestUpstream aWeb = fixture.backendFor(admin, a, "web", "a-web");
    TestUpstream aPrivate = fixture.backendFor(admin, a, "private", "a-private");
    TestUpstream bWeb = fixture.backendFor(admin, b, "web", "b-web");
    // A's Gateway: default allowedRoutes (Same), no hostnames, so only namespaces decide
    create(GatewayKind.GATEWAY, a, gateway("a-only", "a-own", ""));
    create(GatewayKind.HTTP_ROUTE, a, route("a-route", "a-only", "", aHost, "web", ""));
    create(
        GatewayKind.HTTP_ROUTE,
        b,
        route("intruder", "a-only", a, "intruder.tenants.test", "web", ""));
    // B's Gateway names A's Secret; its routes: one to its own Service, one to A's
    create(GatewayKind.GATEWAY, b, gateway("b-gateway", "a-cert", a));
    create(GatewayKind.HTTP_ROUTE, b, route("b-route", "b-gateway", "", bHost, "web", ""));
    create(
        GatewayKind.HTTP_ROUTE,
        b,
        route("borrower", "b-gateway", "", "borrow.tenants.test", "private", a));

    await("A's route served, over HTTPS too")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(node.get(aHost, "/").body()).isEqualTo("a-web");
              assertThat(TlsSockets.get(node.node().httpsPort(), aHost, "/")).endsWith("a-web");
            });
    await("the intruder is not allowed by A's listeners")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonObject parent = ourParent(get(GatewayKind.HTTP_ROUTE, b, "intruder"));
              assertReason(parent, "Accepted", "False", "NotAllowedByListeners");
            });
    JsonArray aListeners =
        status(get(GatewayKind.GATEWAY, a, "a-only")).getAsJsonArray("listeners");
    assertThat(attached(aListeners, "http")).isEqualTo(1);
    assertThat(attached(aListeners, "https")).isEqualTo(1);
    assertThat(node.get("intruder.tenants.test", "/").status()).isEqualTo(404);

    await("B's listener may not use A's Secret, B's route may not use A's Service")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonObject https = listener(get(GatewayKind.GATEWAY, b, "b-gateway"), "https");
              assertReason(https, "ResolvedRefs", "False", "RefNotPermitted");
              assertReason(https, "Programmed", "False", "Invalid");
              JsonObject borrower = ourParent(get(GatewayKind.HTTP_ROUTE, b, "borrower"));
              assertReason(borrower, "Accepted", "True", "Accepted");
              assertReason(borrower, "ResolvedRefs", "False", "RefNotPermitted");
            });
    await("B's own route served over HTTP")
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(node.get(bHost, "/").body()).isEqualTo("b-web"));
    X509Certificate aCertificate = certificate(aCert);
    try (SSLSocket s = TlsSockets.open(node.node().httpsPort(), bHost)) {
      assertThat(s.getSession().getPeerCertificates()[0]).isNotEqualTo(aCertificate);
    }
    await("the borrowed Service answered 500 by Gatehouse")
        .atMost(WAIT)
        .untilAsserted(() -> assertBorrowerNotServed(aPrivate));

    // the ReferenceGrants in A: the Secret resolves, and so does A's Service, now served to B
    create(GatewayKind.REFERENCE_GRANT, a, grant("gateways-of-b", b, "Gateway", "Secret"));
    create(GatewayKind.REFERENCE_GRANT, a, grant("routes-of-b", b, "HTTPRoute", "Service"));
    await("the Secret and the Service resolve")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonObject https = listener(get(GatewayKind.GATEWAY, b, "b-gateway"), "https");
              assertReason(https, "ResolvedRefs", "True", "ResolvedRefs");
              assertReason(https, "Programmed", "True", "Programmed");
              JsonObject borrower = ourParent(get(GatewayKind.HTTP_ROUTE, b, "borrower"));
              assertReason(borrower, "Accepted", "True", "Accepted");
              assertReason(borrower, "ResolvedRefs", "True", "ResolvedRefs");
            });
    await("A's Service served to B's route")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              RawHttp.Response r = node.get("borrow.tenants.test", "/");
              assertThat(r.status()).isEqualTo(200);
              assertThat(r.body()).isEqualTo("a-private");
            });
    await("B's host served with A's certificate")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              try (SSLSocket s = TlsSockets.open(node.node().httpsPort(), bHost)) {
                assertThat(s.getSession().getPeerCertificates()[0]).isEqualTo(aCertificate);
                assertThat(TlsSockets.get(s, bHost, "/")).endsWith("b-web");
              }
            });
    int borrowed = aPrivate.count();

    // the grant revoked: RefNotPermitted and 500 again, nothing more reaches A's Service
    api(GatewayKind.REFERENCE_GRANT).delete(a, "routes-of-b");
    await("the Service refused again once the grant is gone")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonObject borrower = ourParent(get(GatewayKind.HTTP_ROUTE, b, "borrower"));
              assertReason(borrower, "ResolvedRefs", "False", "RefNotPermitted");
              assertThat(node.get("borrow.tenants.test", "/").status()).isEqualTo(500);
            });
    assertThat(aPrivate.count()).isEqualTo(borrowed);
    assertThat(aWeb.count()).isPositive();
    assertThat(bWeb.count()).isPositive();
  }

  @Test
  void an_https_only_route_redirects_plain_http_and_a_listener_on_another_port_is_not_accepted()
      throws Exception {
    String ns = server.createNamespace("gw-https");
    String host = "secure.e2e.test";
    TestCertificates.Pair pair = TestCertificates.selfSigned(List.of(host));
    tlsSecret(ns, "secure-tls", pair);
    fixture.backendFor(admin, ns, "web", "secure");
    create(
        GatewayKind.GATEWAY,
        ns,
        """
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
         "metadata": {"name": "gw"},
         "spec": {"gatewayClassName": "%s", "listeners": [
          {"name": "https", "protocol": "HTTPS", "port": 443,
           "tls": {"certificateRefs": [{"name": "secure-tls"}]}},
          {"name": "alt", "protocol": "HTTP", "port": 8080}]}}
        """
            .formatted(cls));
    create(GatewayKind.HTTP_ROUTE, ns, sectionRoute("secure", "https", host));
    create(GatewayKind.HTTP_ROUTE, ns, sectionRoute("alt", "alt", "alt.e2e.test"));

    await("the Gateway accepted with a listener not valid")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonObject gw = get(GatewayKind.GATEWAY, ns, "gw");
              assertReason(status(gw), "Accepted", "True", "ListenersNotValid");
              assertReason(status(gw), "Programmed", "True", "Programmed");
              JsonObject alt = listener(gw, "alt");
              assertReason(alt, "Accepted", "False", "PortUnavailable");
              assertReason(alt, "Programmed", "False", "Invalid");
              assertThat(alt.get("attachedRoutes").getAsInt()).isZero();
              JsonObject https = listener(gw, "https");
              assertReason(https, "Programmed", "True", "Programmed");
              assertThat(https.get("attachedRoutes").getAsInt()).isEqualTo(1);
              assertReason(
                  ourParent(get(GatewayKind.HTTP_ROUTE, ns, "secure")),
                  "Accepted",
                  "True",
                  "Accepted");
              assertReason(
                  ourParent(get(GatewayKind.HTTP_ROUTE, ns, "alt")),
                  "Accepted",
                  "False",
                  "NotAllowedByListeners");
            });
    await("served over HTTPS")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              try (SSLSocket s = TlsSockets.open(node.node().httpsPort(), host)) {
                assertThat(s.getSession().getPeerCertificates()[0]).isEqualTo(certificate(pair));
                assertThat(TlsSockets.get(s, host, "/a?b=c")).endsWith("secure");
              }
            });
    // attached through HTTPS only: plain HTTP is redirected, never proxied (to tls.redirectPort,
    // 443 here, which the URL leaves out)
    RawHttp.Response plain = node.get(host, "/a?b=c");
    assertThat(plain.status()).isEqualTo(308);
    assertThat(plain.header("location")).isEqualTo("https://" + host + "/a?b=c");
    assertThat(node.get("alt.e2e.test", "/").status()).isEqualTo(404);
  }

  /**
   * A TLSRoute on a TLS Passthrough listener: the client's TLS reaches the backend, which answers
   * with its own certificate, bytes unchanged; an SNI name no route has is refused.
   */
  @Test
  void a_tlsroute_passes_the_clients_tls_to_its_backend_and_an_unknown_name_is_refused()
      throws Exception {
    String ns = server.createNamespace("gw-tls");
    String host = "vault.tls.e2e.test";
    TestPki.Issued own = TestPki.ca("tlsroute-backend").server(List.of(host), List.of());
    TestUpstream backend =
        TestUpstream.named(
            fixture.vertx(),
            "passed-through",
            new HttpServerOptions()
                .setSsl(true)
                .setKeyCertOptions(
                    new PemKeyCertOptions()
                        .setCertValue(Buffer.buffer(own.certPem()))
                        .setKeyValue(Buffer.buffer(own.keyPem()))));
    try {
      fixture.serviceTo(admin, ns, "vault", backend.port());
      create(
          GatewayKind.GATEWAY,
          ns,
          """
          {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
           "metadata": {"name": "gw"},
           "spec": {"gatewayClassName": "%s", "listeners": [
            {"name": "tls", "protocol": "TLS", "port": 443, "tls": {"mode": "Passthrough"}}]}}
          """
              .formatted(cls));
      create(
          GatewayKind.TLS_ROUTE,
          ns,
          """
          {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "TLSRoute",
           "metadata": {"name": "vault"},
           "spec": {"parentRefs": [{"name": "gw"}], "hostnames": ["%s"],
            "rules": [{"backendRefs": [{"name": "vault", "port": 80}]}]}}
          """
              .formatted(host));
      await("the TLSRoute accepted on a programmed TLS listener")
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                JsonObject tls = listener(get(GatewayKind.GATEWAY, ns, "gw"), "tls");
                assertReason(tls, "Programmed", "True", "Programmed");
                assertThat(tls.get("attachedRoutes").getAsInt()).isEqualTo(1);
                JsonObject parent = ourParent(get(GatewayKind.TLS_ROUTE, ns, "vault"));
                assertReason(parent, "Accepted", "True", "Accepted");
                assertReason(parent, "ResolvedRefs", "True", "ResolvedRefs");
              });
      await("passed through to the backend, which answers with its own certificate")
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                try (SSLSocket s = TlsSockets.open(node.node().httpsPort(), host)) {
                  assertThat(s.getSession().getPeerCertificates()[0].getEncoded())
                      .isEqualTo(own.cert().getEncoded());
                  assertThat(TlsSockets.get(s, host, "/")).endsWith("passed-through");
                }
              });
      // no route has this name (none serves every host): unrecognized_name, no handshake
      assertThatThrownBy(() -> TlsSockets.open(node.node().httpsPort(), "nobody.tls.e2e.test"))
          .isInstanceOf(SSLException.class);
    } finally {
      backend.close();
    }
  }

  @Test
  void a_grpcroute_method_match_is_served_over_h2c() throws Exception {
    String ns = server.createNamespace("gw-grpc");
    String host = "grpc.e2e.test";
    GrpcEcho echo = GrpcEcho.start(InsecureServerCredentials.create());
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", node.port(), InsecureChannelCredentials.create())
            .overrideAuthority(host)
            .build();
    try {
      // the Service port says h2c, as the GRPCRoute's backends must be spoken to
      new CoreV1Api(admin)
          .createNamespacedService(
              ns,
              new V1Service()
                  .metadata(new V1ObjectMeta().name("echo"))
                  .spec(
                      new V1ServiceSpec()
                          .ports(
                              List.of(
                                  new V1ServicePort()
                                      .name("http")
                                      .port(80)
                                      .appProtocol("kubernetes.io/h2c")))))
          .execute();
      KubeNodeFixture.createSlice(
          admin, ns, "echo", "echo-slice", Map.of(fixture.address(echo.port()), true));
      create(GatewayKind.GATEWAY, ns, gateway("gw", null, ""));
      create(
          GatewayKind.GRPC_ROUTE,
          ns,
          """
          {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GRPCRoute",
           "metadata": {"name": "echo"},
           "spec": {"parentRefs": [{"name": "gw"}], "hostnames": ["%s"],
            "rules": [{"matches": [{"method": {"service": "%s", "method": "Unary"}}],
                       "backendRefs": [{"name": "echo", "port": 80}]}]}}
          """
              .formatted(host, GrpcEcho.SERVICE));
      await("GRPCRoute accepted")
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                JsonObject parent = ourParent(get(GatewayKind.GRPC_ROUTE, ns, "echo"));
                assertReason(parent, "Accepted", "True", "Accepted");
                assertReason(parent, "ResolvedRefs", "True", "ResolvedRefs");
              });
      await("the method served")
          .atMost(WAIT)
          .ignoreException(StatusRuntimeException.class)
          .untilAsserted(
              () ->
                  assertThat(
                          ClientCalls.blockingUnaryCall(
                              channel,
                              GrpcEcho.UNARY,
                              CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                              "hello"))
                      .isEqualTo("echo:hello"));
      // another method of the same service matches no rule: never reaches the backend
      assertThatThrownBy(
              () ->
                  ClientCalls.blockingUnaryCall(
                      channel,
                      GrpcEcho.FAIL,
                      CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                      "x"))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      echo.close();
    }
  }

  /** The ownership rule across controllers: the older Ingress keeps its host. */
  @Test
  void an_older_ingress_keeps_its_host_and_the_newer_route_keeps_its_other_hosts()
      throws Exception {
    // created first; should both land in the same second, namespace order agrees (i < r)
    String ingNs = server.createNamespace("ing-old");
    String routeNs = server.createNamespace("route-new");
    String shared = "shared.e2e.test";
    String own = "own.e2e.test";
    fixture.backendFor(admin, ingNs, "legacy", "ingress");
    new NetworkingV1Api(admin)
        .createNamespacedIngress(
            ingNs, KubeNodeFixture.ingressTo(ingNs, "legacy", ingressCls, shared, "legacy"))
        .execute();
    await("the Ingress served")
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(node.get(shared, "/").body()).isEqualTo("ingress"));

    fixture.backendFor(admin, routeNs, "web", "route");
    create(GatewayKind.GATEWAY, routeNs, gateway("gw", null, ""));
    create(
        GatewayKind.HTTP_ROUTE,
        routeNs,
        """
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
         "metadata": {"name": "shop"},
         "spec": {"parentRefs": [{"name": "gw"}], "hostnames": ["%s", "%s"],
          "rules": [{"backendRefs": [{"name": "web", "port": 80}]}]}}
        """
            .formatted(shared, own));
    await("the route's other host served")
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(node.get(own, "/").body()).isEqualTo("route"));
    await("the route told which host it lost, and to whom")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonObject parent = ourParent(get(GatewayKind.HTTP_ROUTE, routeNs, "shop"));
              assertReason(parent, "Accepted", "False", "HostConflict");
              assertThat(condition(parent, "Accepted").get("message").getAsString())
                  .contains(shared)
                  .contains("Ingress " + ingNs + "/legacy");
            });
    assertThat(node.get(shared, "/").body()).isEqualTo("ingress");
  }

  @Test
  void time_from_httproute_create_to_served() throws Exception {
    String ns = server.createNamespace("gw-latency");
    fixture.backendFor(admin, ns, "web", "web");
    create(GatewayKind.GATEWAY, ns, gateway("gw", null, ""));
    await("Gateway programmed")
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertReason(
                    status(get(GatewayKind.GATEWAY, ns, "gw")),
                    "Programmed",
                    "True",
                    "Programmed"));
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String host = "r" + i + ".latency.test";
      long started = System.nanoTime();
      create(GatewayKind.HTTP_ROUTE, ns, route("r" + i, "gw", "", host, "web", ""));
      await("route " + i + " served")
          .atMost(WAIT)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(5))
          .until(() -> "web".equals(node.get(host, "/").body()));
      millis.add((System.nanoTime() - started) / 1_000_000);
    }
    // deleted: no longer served, no longer counted
    KubernetesApiResponse<DynamicKubernetesObject> deleted =
        api(GatewayKind.HTTP_ROUTE).delete(ns, "r0");
    assertThat(deleted.isSuccess()).isTrue();
    await("deleted route gone")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(node.get("r0.latency.test", "/").status()).isEqualTo(404);
              assertThat(
                      listener(get(GatewayKind.GATEWAY, ns, "gw"), "http")
                          .get("attachedRoutes")
                          .getAsInt())
                  .isEqualTo(19);
            });
    Collections.sort(millis);
    System.out.printf(
        "GatewayApiIT: HTTPRoute create to served over %d routes: p50 %d ms, p90 %d ms, max %d ms%n",
        millis.size(), millis.get(9), millis.get(17), millis.get(19));
    // the debounce ceiling is 500 ms; a rebuild is far below WAIT
    assertThat(millis.get(9)).isLessThan(WAIT.toMillis());
  }

  /** Without a ReferenceGrant the borrowed Service is refused: Gatehouse answers 500 itself. */
  private static void assertBorrowerNotServed(TestUpstream aPrivate) throws Exception {
    RawHttp.Response r = node.get("borrow.tenants.test", "/");
    assertThat(r.body()).isNotEqualTo("a-private");
    assertThat(r.status()).isEqualTo(500);
    assertThat(aPrivate.receivedNothing()).isTrue();
  }

  private static RawHttp.Response send(String host, String requestLine, String... headers)
      throws Exception {
    StringBuilder b = new StringBuilder(requestLine).append("\r\nHost: ").append(host);
    for (String h : headers) {
      b.append("\r\n").append(h);
    }
    return node.exchange(b.append("\r\nConnection: close\r\n\r\n").toString());
  }

  // ---- objects

  /** A Gateway with listeners http (80) and, when {@code secret} is given, https (443). */
  private static String gateway(String name, @Nullable String secret, String secretNamespace) {
    String https =
        secret == null
            ? ""
            : """
              , {"name": "https", "protocol": "HTTPS", "port": 443,
                 "tls": {"certificateRefs": [{"name": "%s"%s}]}}
              """
                .formatted(
                    secret,
                    secretNamespace.isEmpty()
                        ? ""
                        : ", \"namespace\": \"" + secretNamespace + "\"");
    return """
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
         "metadata": {"name": "%s"},
         "spec": {"gatewayClassName": "%s",
          "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}%s]}}
        """
        .formatted(name, cls, https);
  }

  /** An HTTPRoute for {@code host}: everything to {@code service}:80 (of {@code serviceNs}). */
  private static String route(
      String name,
      String gateway,
      String gatewayNs,
      String host,
      String service,
      String serviceNs) {
    return """
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
         "metadata": {"name": "%s"},
         "spec": {"parentRefs": [{"name": "%s"%s}], "hostnames": ["%s"],
          "rules": [{"backendRefs": [{"name": "%s", "port": 80%s}]}]}}
        """
        .formatted(
            name,
            gateway,
            gatewayNs.isEmpty() ? "" : ", \"namespace\": \"" + gatewayNs + "\"",
            host,
            service,
            serviceNs.isEmpty() ? "" : ", \"namespace\": \"" + serviceNs + "\"");
  }

  /** An HTTPRoute for {@code host} attached to listener {@code section} of Gateway "gw". */
  private static String sectionRoute(String name, String section, String host) {
    return """
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
         "metadata": {"name": "%s"},
         "spec": {"parentRefs": [{"name": "gw", "sectionName": "%s"}], "hostnames": ["%s"],
          "rules": [{"backendRefs": [{"name": "web", "port": 80}]}]}}
        """
        .formatted(name, section, host);
  }

  /** A ReferenceGrant: {@code fromKind}s of {@code fromNs} may refer to core {@code toKind}s. */
  private static String grant(String name, String fromNs, String fromKind, String toKind) {
    return """
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "ReferenceGrant",
         "metadata": {"name": "%s"},
         "spec": {"from": [{"group": "gateway.networking.k8s.io", "kind": "%s", "namespace": "%s"}],
                  "to": [{"group": "", "kind": "%s"}]}}
        """
        .formatted(name, fromKind, fromNs, toKind);
  }

  private static void tlsSecret(String ns, String name, TestCertificates.Pair pair)
      throws Exception {
    new CoreV1Api(admin)
        .createNamespacedSecret(
            ns,
            new V1Secret()
                .metadata(new V1ObjectMeta().name(name))
                .type("kubernetes.io/tls")
                .data(
                    Map.of(
                        "tls.crt", pair.certificatePem().getBytes(StandardCharsets.US_ASCII),
                        "tls.key", pair.keyPem().getBytes(StandardCharsets.US_ASCII))))
        .execute();
  }

  private static X509Certificate certificate(TestCertificates.Pair pair) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(
                new ByteArrayInputStream(
                    pair.certificatePem().getBytes(StandardCharsets.US_ASCII)));
  }

  private static DynamicKubernetesApi api(GatewayKind kind) {
    return new DynamicKubernetesApi(kind.group(), kind.version(), kind.plural(), admin);
  }

  private static void create(GatewayKind kind, String ns, String json) {
    JsonObject o = JsonParser.parseString(json).getAsJsonObject();
    if (!ns.isEmpty()) {
      o.getAsJsonObject("metadata").addProperty("namespace", ns);
    }
    KubernetesApiResponse<DynamicKubernetesObject> r =
        api(kind).create(new DynamicKubernetesObject(o));
    assertThat(r.isSuccess()).as("create %s: %s", kind, r.getStatus()).isTrue();
  }

  private static JsonObject get(GatewayKind kind, String ns, String name) {
    KubernetesApiResponse<DynamicKubernetesObject> r =
        ns.isEmpty() ? api(kind).get(name) : api(kind).get(ns, name);
    assertThat(r.isSuccess()).as("get %s %s/%s", kind, ns, name).isTrue();
    return r.getObject().getRaw();
  }

  // ---- status

  private static JsonArray json(String array) {
    return JsonParser.parseString(array).getAsJsonArray();
  }

  private static JsonObject status(JsonObject object) {
    JsonObject status = object.getAsJsonObject("status");
    assertThat(status).as("status").isNotNull();
    return status;
  }

  /** The route's one {@code status.parents} entry of our controller. */
  private static JsonObject ourParent(JsonObject route) {
    JsonArray parents = status(route).getAsJsonArray("parents");
    assertThat(parents).as("status.parents").isNotNull();
    List<JsonObject> ours = new ArrayList<>();
    for (JsonElement p : parents) {
      if (OURS.equals(p.getAsJsonObject().get("controllerName").getAsString())) {
        ours.add(p.getAsJsonObject());
      }
    }
    assertThat(ours).hasSize(1);
    // the defaulted fields written explicitly, as the API server would store them
    JsonObject ref = ours.get(0).getAsJsonObject("parentRef");
    assertThat(ref.get("group").getAsString()).isEqualTo(GatewayKind.GROUP);
    assertThat(ref.get("kind").getAsString()).isEqualTo("Gateway");
    return ours.get(0);
  }

  private static JsonObject listener(JsonObject gateway, String name) {
    JsonArray listeners = status(gateway).getAsJsonArray("listeners");
    // an assertion, not a NullPointerException, so that a wait for the first status retries
    assertThat(listeners).as("status.listeners").isNotNull();
    for (JsonElement l : listeners) {
      if (name.equals(l.getAsJsonObject().get("name").getAsString())) {
        return l.getAsJsonObject();
      }
    }
    throw new AssertionError("no listener status " + name + " in " + gateway.get("status"));
  }

  private static int attached(JsonArray listeners, String name) {
    for (JsonElement l : listeners) {
      if (name.equals(l.getAsJsonObject().get("name").getAsString())) {
        return l.getAsJsonObject().get("attachedRoutes").getAsInt();
      }
    }
    throw new AssertionError("no listener status " + name + " in " + listeners);
  }

  private static JsonObject condition(JsonObject holder, String type) {
    JsonArray conditions = holder.getAsJsonArray("conditions");
    assertThat(conditions).as("conditions").isNotNull();
    for (JsonElement c : conditions) {
      if (type.equals(c.getAsJsonObject().get("type").getAsString())) {
        return c.getAsJsonObject();
      }
    }
    throw new AssertionError("no condition " + type + " in " + conditions);
  }

  /** Condition {@code type} has this status and reason, and the spec's other fields. */
  private static void assertReason(JsonObject holder, String type, String status, String reason) {
    JsonObject c = condition(holder, type);
    assertThat(c.get("status").getAsString() + " " + c.get("reason").getAsString())
        .as("%s (%s)", type, c.get("message"))
        .isEqualTo(status + " " + reason);
    assertThat(c.has("lastTransitionTime")).as("lastTransitionTime").isTrue();
    // no object here is ever changed after its creation
    assertThat(c.get("observedGeneration").getAsLong()).as("observedGeneration").isEqualTo(1);
  }
}
