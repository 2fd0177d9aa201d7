package io.gatehouse.k8s.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.k8s.translate.IngressProblem;
import io.gatehouse.k8s.translate.IngressRef;
import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.k8s.translate.ListedClusterState;
import io.gatehouse.k8s.translate.Translation;
import io.gatehouse.k8s.watch.KubernetesEndpointFeed.ServiceRef;
import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressClass;
import io.kubernetes.client.openapi.models.V1IngressClassSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which EndpointSlice events make the watcher re-translate (design step 6), against an in-memory
 * informer cache and the real translator. {@link #sliceEvent} does what the watcher's thread does
 * with one: ask {@link SliceRefusals}, and rebuild (translate, remember) only when it says so.
 */
class SliceRefusalsTest {
  private static final String NS = "shop";
  private static final String CLASS = "gatehouse";
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  private final Cache cache = new Cache();
  private final IngressTranslator translator = new IngressTranslator(CLASS, CLOCK);
  private final SliceRefusals refusals =
      new SliceRefusals(
          IngressTranslator.serviceEndpoints(IngressTranslator.upstreamPolicy(List.of(), false)),
          cache);
  private int rebuilds;
  private Translation last;

  private void rebuild() {
    last = translator.translate(cache.state(), Map.of());
    refusals.translated(last);
    rebuilds++;
  }

  /** One slice event of {@code service}, handled as the watcher's thread handles it. */
  private void sliceEvent(String service) {
    if (refusals.changes(NS, service)) {
      rebuild();
    }
  }

  @Test
  void slice_events_that_refuse_nothing_new_rebuild_nothing() {
    cache.ingress("web", "a.example.test", "web");
    cache.service("web", slice("10.0.0.1"));
    rebuild();
    int before = rebuilds;

    List<List<V1EndpointSlice>> states =
        List.of(
            List.of(slice("10.0.0.1", "10.0.0.2")),
            List.of(slice("10.0.0.2")),
            List.of(notReady(slice("10.0.0.2"))),
            List.of(),
            List.of(slice("10.0.0.3"), slice("10.0.0.4", "10.0.0.5")),
            List.of(slice("10.0.0.6")));
    for (int round = 0; round < 5; round++) {
      for (List<V1EndpointSlice> slices : states) {
        cache.slices.put(NS + "/web", slices);
        sliceEvent("web");
        // skipping was right: a fresh translation of the new cache is the one kept
        assertThat(new IngressTranslator(CLASS, CLOCK).translate(cache.state(), Map.of()))
            .isEqualTo(last);
      }
    }

    assertThat(rebuilds - before).isZero();
  }

  @Test
  void a_slice_that_adds_a_refused_address_rebuilds_once_and_warns_until_it_is_gone() {
    cache.ingress("web", "a.example.test", "web");
    cache.service("web", slice("10.0.0.1"));
    rebuild();
    assertThat(refusedWarnings()).isEmpty();
    int before = rebuilds;

    cache.slices.put(NS + "/web", List.of(slice("10.0.0.1", "127.0.0.5")));
    sliceEvent("web");

    assertThat(rebuilds - before).isOne();
    assertThat(refusedWarnings())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.ingress()).isEqualTo(new IngressRef(NS, "web"));
              assertThat(p.message()).contains("EndpointSlice address \"127.0.0.5\"");
            });

    // the same refusal beside another endpoint: the warning stands, nothing to re-translate
    cache.slices.put(NS + "/web", List.of(slice("10.0.0.1", "10.0.0.2", "127.0.0.5")));
    sliceEvent("web");
    assertThat(rebuilds - before).isOne();

    // the refused address goes: one rebuild, and the warning with it
    cache.slices.put(NS + "/web", List.of(slice("10.0.0.2")));
    sliceEvent("web");
    assertThat(rebuilds - before).isEqualTo(2);
    assertThat(refusedWarnings()).isEmpty();
  }

  @Test
  void an_ingress_that_lost_its_path_still_has_its_warning_kept_up_to_date() {
    // "b" loses a.example.test "/" to the older "a", so its route is in no table and no node's
    // compiler holds its Service; its backend is still translated and warned about
    cache.ingress("a", "a.example.test", "web");
    cache.ingress("b", "a.example.test", "other");
    cache.service("web", slice("10.0.0.1"));
    cache.service("other", slice("10.0.0.7"));
    rebuild();
    int before = rebuilds;

    cache.slices.put(NS + "/other", List.of(slice("10.0.0.7", "0.0.0.0")));
    sliceEvent("other");

    assertThat(rebuilds - before).isOne();
    assertThat(refusedWarnings())
        .singleElement()
        .satisfies(p -> assertThat(p.ingress()).isEqualTo(new IngressRef(NS, "b")));
  }

  @Test
  void slices_of_a_service_no_ingress_names_rebuild_nothing() {
    cache.ingress("web", "a.example.test", "web");
    cache.service("web", slice("10.0.0.1"));
    cache.service("unused", slice("10.0.0.9"));
    rebuild();
    int before = rebuilds;

    cache.slices.put(NS + "/unused", List.of(slice("127.0.0.1")));
    sliceEvent("unused");
    sliceEvent("no-such-service");

    assertThat(rebuilds - before).isZero();
  }

  @Test
  void a_replica_that_does_not_lead_checks_nothing() {
    cache.ingress("web", "a.example.test", "web");
    cache.service("web", slice("10.0.0.1"));
    rebuild();
    refusals.forget();

    cache.slices.put(NS + "/web", List.of(slice("127.0.0.1")));

    assertThat(refusals.changes(NS, "web")).isFalse();
  }

  private List<IngressProblem> refusedWarnings() {
    return last.problems().stream().filter(p -> p.reason().equals("UpstreamRefused")).toList();
  }

  /** The informer caches: what the watcher's listers and indexers would hold. */
  private static final class Cache implements KubernetesEndpointFeed.Source {
    final Map<String, V1Service> services = new LinkedHashMap<>();
    final Map<String, List<V1EndpointSlice>> slices = new LinkedHashMap<>();
    final List<V1Ingress> ingresses = new ArrayList<>();

    void ingress(String name, String host, String service) {
      ingresses.add(IngressWatcherIT.ingressTo(NS, name, CLASS, host, service, null));
    }

    void service(String name, V1EndpointSlice... serviceSlices) {
      services.put(
          NS + "/" + name,
          new V1Service()
              .metadata(new V1ObjectMeta().namespace(NS).name(name))
              .spec(
                  new V1ServiceSpec()
                      .type("ClusterIP")
                      .ports(List.of(new V1ServicePort().name("http").port(80)))));
      slices.put(NS + "/" + name, List.of(serviceSlices));
    }

    ListedClusterState state() {
      List<V1EndpointSlice> all = new ArrayList<>();
      slices.forEach(
          (key, list) -> {
            String service = key.substring(key.indexOf('/') + 1);
            for (V1EndpointSlice s : list) {
              all.add(
                  s.metadata(
                      new V1ObjectMeta()
                          .namespace(NS)
                          .name(service + "-" + all.size())
                          .labels(Map.of("kubernetes.io/service-name", service))));
            }
          });
      V1IngressClass cls =
          new V1IngressClass()
              .metadata(new V1ObjectMeta().name(CLASS))
              .spec(new V1IngressClassSpec().controller(IngressTranslator.CONTROLLER));
      return new ListedClusterState(List.of(cls), ingresses, services.values(), all, List.of());
    }

    @Override
    public V1Service service(String namespace, String name) {
      return services.get(new ServiceRef(namespace, name).toString());
    }

    @Override
    public List<V1EndpointSlice> slices(String namespace, String service) {
      return slices.getOrDefault(new ServiceRef(namespace, service).toString(), List.of());
    }

    @Override
    public boolean synced() {
      return true;
    }
  }

  private static V1EndpointSlice slice(String... addresses) {
    List<V1Endpoint> endpoints = new ArrayList<>();
    for (String a : addresses) {
      endpoints.add(
          new V1Endpoint()
              .addresses(List.of(a))
              .conditions(new V1EndpointConditions().ready(true)));
    }
    return new V1EndpointSlice()
        .addressType("IPv4")
        .ports(List.of(new DiscoveryV1EndpointPort().name("http").port(8080).protocol("TCP")))
        .endpoints(endpoints);
  }

  private static V1EndpointSlice notReady(V1EndpointSlice slice) {
    slice.getEndpoints().forEach(e -> e.conditions(new V1EndpointConditions().ready(false)));
    return slice;
  }
}
