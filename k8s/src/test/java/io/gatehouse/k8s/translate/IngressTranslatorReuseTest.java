package io.gatehouse.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendRef;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * One translator instance reused across translations (as the watcher does) gives exactly what a
 * fresh one gives: the validations it remembers from its last call change no result.
 */
class IngressTranslatorReuseTest {
  private static final Clock CLOCK = Clock.fixed(TestCertificates.FIXTURE_NOW, ZoneOffset.UTC);

  @Test
  void every_golden_case_translates_alike_after_any_other() throws IOException {
    IngressTranslator reused = new IngressTranslator("", CLOCK);
    List<String> cases = IngressTranslatorGoldenTest.cases().toList();
    assertThat(cases).hasSizeGreaterThanOrEqualTo(45);
    // every case after the previous one, forwards then backwards
    List<String> backwards = new ArrayList<>(cases);
    Collections.reverse(backwards);
    for (List<String> order : List.of(cases, backwards)) {
      for (String name : order) {
        Fixtures.Case c = read(name);
        String fresh =
            IngressTranslatorGoldenTest.render(
                new IngressTranslator("", CLOCK).translate(c.state(), c.claims()), c);
        assertThat(IngressTranslatorGoldenTest.render(reused.translate(c.state(), c.claims()), c))
            .as(name)
            .isEqualTo(fresh);
      }
    }
  }

  @Test
  void an_endpoint_change_changes_no_route() {
    IngressTranslator translator = new IngressTranslator("", CLOCK);
    Translation before = translator.translate(state("10.0.0.1").state(), Map.of());
    Translation after = translator.translate(state("10.0.0.9").state(), Map.of());
    Map<String, RouteSpec> b = byKey(after);
    assertThat(b).hasSize(4);
    // routes refer to the Service port; its endpoints are the node's endpoint feed's business
    assertThat(after).isEqualTo(before);
    assertThat(b.get("shop/k8s/web-0.r0.p0").backends())
        .singleElement()
        .satisfies(
            rb ->
                assertThat(rb.ref())
                    .isEqualTo(
                        new BackendRef.ServicePort("web", 80, null, UpstreamProtocol.HTTP1, null)));
    assertThat(b.get("shop/k8s/web-1.r0.p0").backends())
        .isEqualTo(b.get("shop/k8s/web-0.r0.p0").backends());
    // and exactly what a fresh translator says
    assertThat(after)
        .isEqualTo(new IngressTranslator("", CLOCK).translate(state("10.0.0.9").state(), Map.of()));
  }

  @Test
  void every_route_names_the_ingress_it_comes_from() {
    Translation t = new IngressTranslator("", CLOCK).translate(state("10.0.0.1").state(), Map.of());
    assertThat(t.routes()).hasSize(4);
    assertThat(t.origins()).hasSize(4);
    for (RouteSpec r : t.routes()) {
      String ingress = r.key().name().substring(0, r.key().name().indexOf('.'));
      assertThat(t.origins().get(r.key())).isEqualTo(new IngressRef("shop", ingress));
    }
  }

  @Test
  void a_remembered_invalid_route_is_reported_again() {
    IngressTranslator translator = new IngressTranslator("", CLOCK);
    String yaml =
        CLASS
            + service("web", "10.0.0.1")
            + ingress("bad", "web", "no-slash")
            + ingress("good", "web", "/");
    Fixtures.Case c = Fixtures.read(yaml);
    Translation first = translator.translate(c.state(), Map.of());
    Translation second = translator.translate(c.state(), Map.of());
    assertThat(first.problems()).extracting(IngressProblem::reason).contains("InvalidRoute");
    assertThat(second).isEqualTo(first);
  }

  private static Fixtures.Case read(String name) throws IOException {
    return Fixtures.read(
        Files.readString(Path.of("src/test/resources/translate").resolve(name).resolve("in.yaml")));
  }

  private static Map<String, RouteSpec> byKey(Translation t) {
    return t.routes().stream()
        .collect(Collectors.toMap(r -> r.key().toString(), Function.identity()));
  }

  private static final String CLASS =
      """
      apiVersion: networking.k8s.io/v1
      kind: IngressClass
      metadata: {name: gatehouse}
      spec: {controller: gatehouse.io/ingress-controller}
      """;

  private static Fixtures.Case state(String webAddress) {
    return Fixtures.read(
        CLASS
            + service("web", webAddress)
            + service("api", "10.0.1.1")
            + ingress("web-0", "web", "/")
            + ingress("web-1", "web", "/")
            + ingress("api-0", "api", "/")
            + ingress("api-1", "api", "/"));
  }

  private static String service(String name, String address) {
    return """
        ---
        apiVersion: v1
        kind: Service
        metadata: {namespace: shop, name: %1$s}
        spec: {ports: [{name: http, port: 80}]}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {namespace: shop, name: %1$s-1, labels: {kubernetes.io/service-name: %1$s}}
        addressType: IPv4
        ports: [{name: http, port: 8080, protocol: TCP}]
        endpoints: [{addresses: ["%2$s"], conditions: {ready: true}}]
        """
        .formatted(name, address);
  }

  private static String ingress(String name, String service, String path) {
    return """
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {namespace: shop, name: %1$s, creationTimestamp: "2026-01-01T00:00:00Z"}
        spec:
          ingressClassName: gatehouse
          rules:
            - host: "%1$s.example.com"
              http:
                paths:
                - {path: "%3$s", pathType: Prefix, backend: {service: {name: %2$s, port: {number: 80}}}}
        """
        .formatted(name, service, path);
  }
}
