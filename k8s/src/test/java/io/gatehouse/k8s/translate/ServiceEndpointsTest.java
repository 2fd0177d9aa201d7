package io.gatehouse.k8s.translate;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.gatehouse.k8s.translate.ServiceEndpoints.Endpoints;
import io.gatehouse.k8s.translate.ServiceEndpoints.PortNotFound;
import io.gatehouse.k8s.translate.ServiceEndpoints.RefusedExternalName;
import io.gatehouse.k8s.translate.ServiceEndpoints.Result;
import io.gatehouse.model.Endpoint;
import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules of {@link ServiceEndpoints}, one named case each, as {@link IngressTranslator} applied
 * them before they were extracted. The policies are stand-ins: ExternalName {@code
 * metadata.internal} and slice addresses in {@code 127.0.0.0/8} are refused.
 */
class ServiceEndpointsTest {
  private static final String LOOPBACK = "an address outside 127.0.0.0/8 (loopback)";
  private static final String METADATA = "not a cloud metadata name";

  private static final ServiceEndpoints ENDPOINTS =
      new ServiceEndpoints(
          name -> name.equals("metadata.internal") ? METADATA : null,
          address -> address.startsWith("127.") ? LOOPBACK : null);

  /** A backend naming {@code number} or {@code portName} of {@code service}, and the answer. */
  record Case(
      String name,
      V1Service service,
      Integer number,
      String portName,
      List<V1EndpointSlice> slices,
      Result expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    V1Service web = service(port("http", 80), port("metrics", 9090));
    DiscoveryV1EndpointPort http = slicePort("http", 8080, "TCP");
    return Stream.of(
        new Case(
            "ready-endpoints-serve-sorted-by-host",
            web,
            80,
            null,
            List.of(
                slice(
                    "IPv4",
                    List.of(http),
                    ready("10.0.0.2"),
                    ready("10.0.0.10"),
                    ep("10.0.0.3", false, null, null))),
            endpoints(List.of(Endpoint.of("10.0.0.10", 8080), Endpoint.of("10.0.0.2", 8080)))),
        new Case(
            "readiness-unset-counts-as-ready",
            web,
            80,
            null,
            List.of(
                slice(
                    "IPv4",
                    List.of(http),
                    new V1Endpoint().addresses(List.of("10.0.0.1")),
                    ep("10.0.0.2", null, null, null))),
            endpoints(List.of(Endpoint.of("10.0.0.1", 8080), Endpoint.of("10.0.0.2", 8080)))),
        new Case(
            "serving-terminating-endpoints-are-ignored-while-one-is-ready",
            web,
            80,
            null,
            List.of(
                slice(
                    "IPv4",
                    List.of(http),
                    ready("10.0.0.1"),
                    ep("10.0.0.2", false, true, true),
                    ep("10.0.0.3", true, true, true))),
            endpoints(List.of(Endpoint.of("10.0.0.1", 8080)))),
        new Case(
            "serving-terminating-endpoints-serve-when-none-is-ready",
            web,
            80,
            null,
            List.of(
                slice(
                    "IPv4",
                    List.of(http),
                    ep("10.0.0.1", false, false, null),
                    ep("10.0.0.2", false, true, true),
                    ep("10.0.0.3", true, true, true),
                    ep("10.0.0.4", false, false, true),
                    ep("10.0.0.5", false, null, true))),
            endpoints(List.of(Endpoint.of("10.0.0.2", 8080), Endpoint.of("10.0.0.3", 8080)))),
        new Case(
            "no-ready-and-no-serving-endpoint-is-an-empty-list",
            web,
            80,
            null,
            List.of(
                slice(
                    "IPv4",
                    List.of(http),
                    ep("10.0.0.1", false, null, null),
                    ep("10.0.0.2", false, false, true))),
            endpoints(List.of())),
        new Case(
            "fqdn-and-untyped-slices-are-ignored",
            web,
            80,
            null,
            List.of(
                slice("FQDN", List.of(http), ready("web.example.com")),
                slice(null, List.of(http), ready("10.0.0.9")),
                slice("IPv4", List.of(http), ready("10.0.0.1"))),
            endpoints(List.of(Endpoint.of("10.0.0.1", 8080)))),
        new Case(
            "ipv6-slices-serve",
            web,
            80,
            null,
            List.of(slice("IPv6", List.of(http), ready("fd00::1"))),
            endpoints(List.of(Endpoint.of("fd00::1", 8080)))),
        new Case(
            "a-port-by-number-uses-the-slice-port-of-its-name",
            web,
            9090,
            null,
            List.of(
                slice("IPv4", List.of(http, slicePort("metrics", 9091, null)), ready("10.0.0.1"))),
            endpoints(List.of(Endpoint.of("10.0.0.1", 9091)))),
        new Case(
            "a-port-by-name-uses-the-slice-port-of-that-name",
            web,
            null,
            "metrics",
            List.of(
                slice("IPv4", List.of(http, slicePort("metrics", 9091, "TCP")), ready("10.0.0.1"))),
            endpoints(List.of(Endpoint.of("10.0.0.1", 9091)))),
        new Case(
            "an-unnamed-service-port-uses-the-unnamed-slice-port",
            service(port(null, 80)),
            80,
            null,
            List.of(slice("IPv4", List.of(slicePort(null, 8080, null)), ready("10.0.0.1"))),
            endpoints(List.of(Endpoint.of("10.0.0.1", 8080)))),
        new Case(
            "only-a-tcp-or-unset-protocol-slice-port-counts",
            web,
            80,
            null,
            List.of(
                slice("IPv4", List.of(slicePort("http", 5353, "UDP")), ready("10.0.0.1")),
                slice("IPv4", List.of(slicePort("http", 9999, "SCTP")), ready("10.0.0.2")),
                slice(
                    "IPv4",
                    List.of(slicePort("http", 5353, "UDP"), slicePort("http", 8080, "TCP")),
                    ready("10.0.0.3"))),
            endpoints(List.of(Endpoint.of("10.0.0.3", 8080)))),
        new Case(
            "a-slice-without-the-port-is-skipped",
            web,
            80,
            null,
            List.of(
                slice("IPv4", List.of(slicePort("metrics", 9091, null)), ready("10.0.0.1")),
                slice("IPv4", null, ready("10.0.0.2")),
                slice("IPv4", List.of(http)),
                slice("IPv4", List.of(http), ready("10.0.0.3"))),
            endpoints(List.of(Endpoint.of("10.0.0.3", 8080)))),
        new Case(
            "a-port-the-service-does-not-have-is-not-found",
            web,
            8080,
            null,
            List.of(slice("IPv4", List.of(http), ready("10.0.0.1"))),
            new PortNotFound()),
        new Case(
            "a-name-the-service-does-not-have-is-not-found",
            web,
            null,
            "https",
            List.of(slice("IPv4", List.of(http), ready("10.0.0.1"))),
            new PortNotFound()),
        new Case(
            "a-service-without-ports-has-no-port",
            service(),
            80,
            null,
            List.of(),
            new PortNotFound()),
        new Case(
            "only-the-first-address-of-an-endpoint-counts",
            web,
            80,
            null,
            List.of(
                slice(
                    "IPv4",
                    List.of(http),
                    ep(List.of("10.0.0.1", "10.0.0.2"), true, null, null),
                    ep(List.of(), true, null, null),
                    new V1Endpoint().conditions(new V1EndpointConditions().ready(true)))),
            endpoints(List.of(Endpoint.of("10.0.0.1", 8080)))),
        new Case(
            "an-endpoint-in-several-slices-comes-once",
            web,
            80,
            null,
            List.of(
                slice("IPv4", List.of(http), ready("10.0.0.1")),
                slice("IPv4", List.of(http), ready("10.0.0.1"), ready("10.0.0.2"))),
            endpoints(List.of(Endpoint.of("10.0.0.1", 8080), Endpoint.of("10.0.0.2", 8080)))),
        new Case(
            "refused-addresses-are-dropped-and-reported-whatever-their-conditions",
            web,
            80,
            null,
            List.of(
                slice(
                    "IPv4",
                    List.of(http),
                    ready("127.0.0.2"),
                    ready("10.0.0.1"),
                    ep("127.0.0.1", false, null, null),
                    ready("127.0.0.2"))),
            new Endpoints(
                List.of(Endpoint.of("10.0.0.1", 8080)),
                Map.of("127.0.0.1", LOOPBACK, "127.0.0.2", LOOPBACK))),
        new Case(
            "only-refused-addresses-leave-no-endpoints",
            web,
            80,
            null,
            List.of(slice("IPv4", List.of(http), ready("127.0.0.1"))),
            new Endpoints(List.of(), Map.of("127.0.0.1", LOOPBACK))),
        new Case(
            "an-external-name-is-served-at-the-matched-port",
            externalName("api.example.com", port("https", 443)),
            null,
            "https",
            List.of(slice("IPv4", List.of(http), ready("10.0.0.1"))),
            endpoints(List.of(Endpoint.of("api.example.com", 443)))),
        new Case(
            "an-external-name-is-served-at-a-number-it-does-not-list",
            externalName("api.example.com"),
            8443,
            null,
            List.of(),
            endpoints(List.of(Endpoint.of("api.example.com", 8443)))),
        new Case(
            "an-external-name-needs-a-number-when-the-name-is-unknown",
            externalName("api.example.com", port("https", 443)),
            null,
            "http",
            List.of(),
            new PortNotFound()),
        new Case(
            "an-external-name-service-without-a-name-has-no-endpoint",
            externalName(null, port("https", 443)),
            443,
            null,
            List.of(),
            new PortNotFound()),
        new Case(
            "a-refused-external-name-has-no-endpoint",
            externalName("metadata.internal", port("http", 80)),
            80,
            null,
            List.of(),
            new RefusedExternalName("metadata.internal", METADATA)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void each_case_computes_the_expected_endpoints(Case c) {
    Result actual = ENDPOINTS.compute(c.service(), c.number(), c.portName(), c.slices());

    assertThat(actual).isEqualTo(c.expected());
    if (actual instanceof Endpoints e) {
      // the translator reports refused addresses in this order
      assertThat(new ArrayList<>(e.refused().keySet())).isSorted();
    }
  }

  @Test
  void tells_external_name_services_apart() {
    assertThat(ServiceEndpoints.isExternalName(externalName("a.example.com"))).isTrue();
    assertThat(ServiceEndpoints.isExternalName(service(port("http", 80)))).isFalse();
  }

  @Test
  void depends_only_on_the_jdk_the_model_and_the_kubernetes_model() {
    classes()
        .that(belongToAnyOf(ServiceEndpoints.class))
        .should()
        .onlyDependOnClassesThat(
            resideInAnyPackage(
                    "java..", "io.gatehouse.model..", "io.kubernetes.client.openapi.models..")
                .or(belongToAnyOf(ServiceEndpoints.class)))
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackagesOf(ServiceEndpoints.class));
  }

  private static Endpoints endpoints(List<Endpoint> endpoints) {
    return new Endpoints(endpoints, Map.of());
  }

  private static V1ServicePort port(String name, int number) {
    return new V1ServicePort().name(name).port(number);
  }

  private static V1Service service(V1ServicePort... ports) {
    return new V1Service()
        .spec(new V1ServiceSpec().type("ClusterIP").ports(ports.length == 0 ? null : list(ports)));
  }

  private static V1Service externalName(String name, V1ServicePort... ports) {
    return new V1Service()
        .spec(
            new V1ServiceSpec()
                .type("ExternalName")
                .externalName(name)
                .ports(ports.length == 0 ? null : list(ports)));
  }

  private static DiscoveryV1EndpointPort slicePort(String name, Integer port, String protocol) {
    return new DiscoveryV1EndpointPort().name(name).port(port).protocol(protocol);
  }

  private static V1EndpointSlice slice(
      String addressType, List<DiscoveryV1EndpointPort> ports, V1Endpoint... endpoints) {
    return new V1EndpointSlice()
        .addressType(addressType)
        .ports(ports)
        .endpoints(endpoints.length == 0 ? null : list(endpoints));
  }

  private static V1Endpoint ready(String address) {
    return ep(address, true, null, null);
  }

  private static V1Endpoint ep(
      String address, Boolean ready, Boolean serving, Boolean terminating) {
    return ep(List.of(address), ready, serving, terminating);
  }

  private static V1Endpoint ep(
      List<String> addresses, Boolean ready, Boolean serving, Boolean terminating) {
    return new V1Endpoint()
        .addresses(addresses)
        .conditions(
            new V1EndpointConditions().ready(ready).serving(serving).terminating(terminating));
  }

  /** A mutable list: the client's fluent setters keep what they are given. */
  @SafeVarargs
  private static <T> List<T> list(T... items) {
    return new ArrayList<>(Arrays.asList(items));
  }
}
