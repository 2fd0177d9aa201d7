package io.gatehouse.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which Ingresses are ours for each list of classes the operator configures: ingress-nginx's
 * classes only when listed by name, so a cluster switches without editing its Ingresses.
 */
class IngressClassesTest {
  private static final Clock CLOCK = Clock.fixed(TestCertificates.FIXTURE_NOW, ZoneOffset.UTC);

  private static final String CLUSTER =
      """
      apiVersion: networking.k8s.io/v1
      kind: IngressClass
      metadata: {name: gatehouse}
      spec: {controller: gatehouse.io/ingress-controller}
      ---
      apiVersion: networking.k8s.io/v1
      kind: IngressClass
      metadata: {name: nginx}
      spec: {controller: k8s.io/ingress-nginx}
      ---
      apiVersion: networking.k8s.io/v1
      kind: IngressClass
      metadata: {name: nginx-internal}
      spec: {controller: k8s.io/ingress-nginx}
      ---
      apiVersion: networking.k8s.io/v1
      kind: IngressClass
      metadata: {name: traefik}
      spec: {controller: traefik.io/ingress-controller}
      ---
      apiVersion: v1
      kind: Service
      metadata: {namespace: shop, name: web}
      spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
      """
          + ingress("by-gatehouse", "a", "ingressClassName: gatehouse", "")
          + ingress("by-nginx", "b", "ingressClassName: nginx", "")
          + ingress("by-nginx-internal", "c", "ingressClassName: nginx-internal", "")
          + ingress("by-traefik", "d", "ingressClassName: traefik", "")
          + ingress("legacy-nginx", "e", "", "kubernetes.io/ingress.class: nginx")
          + ingress("legacy-gatehouse", "f", "", "kubernetes.io/ingress.class: gatehouse")
          + ingress("no-class", "g", "", "");

  private static String ingress(String name, String host, String spec, String annotation) {
    return """
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          namespace: shop
          name: %s
          creationTimestamp: "2026-01-01T00:00:00Z"
          annotations: {%s}
        spec:
          %s
          rules:
            - host: "%s.example.com"
              http:
                paths:
                - {path: "/", pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
        """
        .formatted(name, annotation, spec, host);
  }

  static Stream<Arguments> lists() {
    return Stream.of(
        Arguments.of("", Set.of("by-gatehouse", "legacy-gatehouse")),
        Arguments.of("gatehouse", Set.of("by-gatehouse", "legacy-gatehouse")),
        Arguments.of(
            "gatehouse,nginx",
            Set.of("by-gatehouse", "legacy-gatehouse", "by-nginx", "legacy-nginx")),
        Arguments.of(" nginx , ", Set.of("by-nginx", "legacy-nginx")),
        Arguments.of(
            "nginx,nginx-internal", Set.of("by-nginx", "by-nginx-internal", "legacy-nginx")),
        // another controller's class is never ours, listed or not
        Arguments.of("traefik", Set.of()));
  }

  @ParameterizedTest(name = "ingressClass \"{0}\" serves {1}")
  @MethodSource("lists")
  void the_listed_classes_are_served(String classes, Set<String> served) {
    Fixtures.Case c = Fixtures.read(CLUSTER);
    Translation t =
        new IngressTranslator(classes, CLOCK, c.policy()).translate(c.state(), c.claims());
    Set<String> owned = new TreeSet<>();
    t.owned().forEach(r -> owned.add(r.name()));
    assertThat(owned).isEqualTo(served);
  }
}
