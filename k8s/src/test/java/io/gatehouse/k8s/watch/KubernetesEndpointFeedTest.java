package io.gatehouse.k8s.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.k8s.translate.ServiceEndpoints;
import io.gatehouse.k8s.watch.KubernetesEndpointFeed.ServiceRef;
import io.gatehouse.model.Endpoint;
import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The per-node Kubernetes endpoint feed against an in-memory cache: which events produce which
 * index writes. Waits are on the index's change listener, never on time.
 */
@Timeout(30)
class KubernetesEndpointFeedTest {
  private static final String REFUSED = "an address outside 127.0.0.0/8 (loopback)";
  private static final ServiceEndpoints RULES =
      new ServiceEndpoints(name -> null, a -> a.startsWith("127.") ? REFUSED : null);

  private final FakeSource source = new FakeSource();
  private final EndpointIndex index = new EndpointIndex();
  private final BlockingQueue<EndpointSet> puts = new LinkedBlockingQueue<>();
  private final List<ServiceRef> refusals = new CopyOnWriteArrayList<>();
  private KubernetesEndpointFeed feed;

  private KubernetesEndpointFeed feed(UnaryOperator<Endpoint> mapper) {
    feed = new KubernetesEndpointFeed(index, RULES, mapper, source, refusals::add);
    index.onChange(puts::add);
    return feed;
  }

  @AfterEach
  void close() {
    if (feed != null) {
      feed.close();
    }
  }

  private static final EndpointsKey.Service WEB_HTTP =
      new EndpointsKey.Service("shop", "web", 80, null);
  private static final EndpointsKey.Service SENTINEL =
      new EndpointsKey.Service("sys", "sentinel", 80, null);

  @Test
  void a_key_is_resolved_from_the_cache_when_the_compiler_first_retains_it() {
    source.put("shop", "web", service(port("http", 80)), slice("http", 8080, "10.0.0.1"));
    feed(UnaryOperator.identity()).start();

    int slot = index.retain(WEB_HTTP);

    assertThat(index.get(slot).endpoints()).containsExactly(Endpoint.of("10.0.0.1", 8080));
    assertThat(feed.keysOf("shop", "web")).containsExactly(WEB_HTTP);
  }

  @Test
  void a_slice_update_puts_each_known_key_of_its_service_once() throws Exception {
    source.put(
        "shop",
        "web",
        service(port("http", 80), port("metrics", 9090)),
        slice("http", 8080, "10.0.0.1"),
        slice("metrics", 9090, "10.0.0.1"));
    feed(UnaryOperator.identity()).start();
    EndpointsKey.Service metricsByName = new EndpointsKey.Service("shop", "web", 0, "metrics");
    int http = index.retain(WEB_HTTP);
    int metrics = index.retain(metricsByName);
    puts.clear();

    source.put(
        "shop",
        "web",
        service(port("http", 80), port("metrics", 9090)),
        slice("http", 8080, "10.0.0.1", "10.0.0.2"),
        slice("metrics", 9090, "10.0.0.1", "10.0.0.2"));
    feed.serviceChanged("shop", "web");

    assertThat(List.of(next(), next()))
        .extracting(EndpointSet::key)
        .containsExactlyInAnyOrder(WEB_HTTP, metricsByName);
    assertThat(index.get(http).endpoints())
        .containsExactly(Endpoint.of("10.0.0.1", 8080), Endpoint.of("10.0.0.2", 8080));
    assertThat(index.get(metrics).endpoints())
        .containsExactly(Endpoint.of("10.0.0.1", 9090), Endpoint.of("10.0.0.2", 9090));
  }

  @Test
  void a_burst_of_events_for_one_service_is_one_put() throws Exception {
    source.put("shop", "web", service(port("http", 80)), slice("http", 8080, "10.0.0.1"));
    feed(UnaryOperator.identity()); // not started: events queue up
    int slot = index.retain(WEB_HTTP);
    puts.clear();
    AtomicInteger webPuts = new AtomicInteger();
    index.onChange(
        s -> {
          if (s.key().equals(WEB_HTTP)) {
            webPuts.incrementAndGet();
          }
        });
    for (int i = 2; i <= 50; i++) {
      List<String> addresses = new ArrayList<>();
      for (int a = 1; a <= i; a++) {
        addresses.add("10.0.0." + a);
      }
      source.put(
          "shop",
          "web",
          service(port("http", 80)),
          slice("http", 8080, addresses.toArray(String[]::new)));
      feed.serviceChanged("shop", "web");
    }

    feed.start();

    assertThat(next().endpoints()).hasSize(50);
    assertThat(index.get(slot).endpoints()).hasSize(50);
    // the drain that put the 50 is the only one: a change after it is the next put
    source.put("shop", "web", service(port("http", 80)), slice("http", 8080, "10.0.0.9"));
    feed.serviceChanged("shop", "web");
    assertThat(next().endpoints()).containsExactly(Endpoint.of("10.0.0.9", 8080));
    barrier();
    assertThat(webPuts).hasValue(2);
  }

  @Test
  void a_deleted_service_empties_its_retained_keys() throws Exception {
    source.put("shop", "web", service(port("http", 80)), slice("http", 8080, "10.0.0.1"));
    feed(UnaryOperator.identity()).start();
    int slot = index.retain(WEB_HTTP);
    puts.clear();

    source.delete("shop", "web");
    feed.serviceChanged("shop", "web");

    assertThat(next().endpoints()).isEmpty();
    assertThat(index.get(slot).endpoints()).isEmpty();
    assertThat(feed.keysOf("shop", "web")).containsExactly(WEB_HTTP); // still retained
  }

  @Test
  void a_deleted_service_nobody_retains_is_forgotten() throws Exception {
    source.put("shop", "web", service(port("http", 80)), slice("http", 8080, "10.0.0.1"));
    feed(UnaryOperator.identity()).start();
    index.release(index.retain(WEB_HTTP)); // a route came and went; the key keeps its endpoints
    puts.clear();

    source.delete("shop", "web");
    feed.serviceChanged("shop", "web");

    barrier();
    assertThat(feed.keysOf("shop", "web")).isEmpty();
    assertThat(index.get(WEB_HTTP).revision()).isZero();
  }

  @Test
  void events_for_services_no_route_uses_write_nothing() throws Exception {
    source.put("shop", "other", service(port("http", 80)), slice("http", 8080, "10.0.0.1"));
    source.put("shop", "web", service(port("http", 80)), slice("http", 8080, "10.0.0.1"));
    feed(UnaryOperator.identity()).start();
    index.retain(WEB_HTTP);
    puts.clear();

    feed.serviceChanged("shop", "other");
    feed.serviceChanged("shop", null); // a slice without the service-name label
    source.put("shop", "web", service(port("http", 80)), slice("http", 8080, "10.0.0.2"));
    feed.serviceChanged("shop", "web");

    assertThat(next().key()).isEqualTo(WEB_HTTP);
    barrier();
    assertThat(index.get(new EndpointsKey.Service("shop", "other", 80, null)).revision()).isZero();
    assertThat(feed.keysOf("shop", "other")).isEmpty();
  }

  @Test
  void before_the_caches_sync_a_key_is_unknown_and_sync_computes_it_then_ready() throws Exception {
    source.synced = false;
    feed(UnaryOperator.identity()).start();
    int slot = index.retain(WEB_HTTP);
    assertThat(index.get(slot).revision()).isZero();
    assertThat(feed.ready()).isNotDone();

    source.put("shop", "web", service(port("http", 80)), slice("http", 8080, "10.0.0.1"));
    source.synced = true;
    feed.synced();

    feed.ready().get(20, TimeUnit.SECONDS);
    assertThat(index.get(slot).endpoints()).containsExactly(Endpoint.of("10.0.0.1", 8080));
  }

  @Test
  void a_key_retained_before_the_feed_existed_is_computed_at_the_first_sync_then_followed()
      throws Exception {
    // The node's routes compile before its Kubernetes watch starts: no resolver was asked.
    int slot = index.retain(WEB_HTTP);
    source.synced = false;
    feed(UnaryOperator.identity()).start();
    assertThat(feed.keysOf("shop", "web")).containsExactly(WEB_HTTP);

    source.put("shop", "web", service(port("http", 80)), slice("http", 8080, "10.0.0.1"));
    source.synced = true;
    feed.synced();
    feed.ready().get(20, TimeUnit.SECONDS);
    assertThat(index.get(slot).endpoints()).containsExactly(Endpoint.of("10.0.0.1", 8080));

    source.put("shop", "web", service(port("http", 80)), slice("http", 8080, "10.0.0.2"));
    feed.serviceChanged("shop", "web");
    barrier();
    assertThat(index.get(slot).endpoints()).containsExactly(Endpoint.of("10.0.0.2", 8080));
  }

  @Test
  void the_mapper_applies_to_every_computed_endpoint() {
    source.put("shop", "web", service(port("http", 80)), slice("http", 8080, "10.0.0.1"));
    feed(e -> Endpoint.of("127.0.0.1", e.port() + 1)).start();

    int slot = index.retain(WEB_HTTP);

    assertThat(index.get(slot).endpoints()).containsExactly(Endpoint.of("127.0.0.1", 8081));
  }

  @Test
  void a_port_the_service_lacks_has_no_endpoints() {
    source.put("shop", "web", service(port("http", 80)), slice("http", 8080, "10.0.0.1"));
    feed(UnaryOperator.identity()).start();

    int slot = index.retain(new EndpointsKey.Service("shop", "web", 81, null));

    assertThat(index.get(slot).endpoints()).isEmpty();
    assertThat(index.get(slot).revision()).isPositive(); // known empty, not unknown
  }

  @Test
  void a_changed_set_of_refused_addresses_is_reported_once() throws Exception {
    source.put("shop", "web", service(port("http", 80)), slice("http", 8080, "10.0.0.1"));
    feed(UnaryOperator.identity()).start();
    index.retain(WEB_HTTP);
    puts.clear();

    source.put(
        "shop", "web", service(port("http", 80)), slice("http", 8080, "10.0.0.1", "127.0.0.5"));
    feed.serviceChanged("shop", "web");
    barrier();
    assertThat(refusals).containsExactly(new ServiceRef("shop", "web"));
    // the same refusals again with another endpoint: nothing new to report
    source.put(
        "shop",
        "web",
        service(port("http", 80)),
        slice("http", 8080, "10.0.0.1", "10.0.0.2", "127.0.0.5"));
    feed.serviceChanged("shop", "web");
    barrier();

    assertThat(index.get(WEB_HTTP).endpoints()).hasSize(2);
    assertThat(refusals).containsExactly(new ServiceRef("shop", "web"));
  }

  private EndpointSet next() throws InterruptedException {
    EndpointSet s = puts.poll(20, TimeUnit.SECONDS);
    assertThat(s).as("an index write within 20 s").isNotNull();
    return s;
  }

  /**
   * Returns once the feed has handled every event before this call: it handles Services in the
   * order their first event arrived, so a put for a Service changed now comes after all of them.
   */
  private void barrier() throws InterruptedException {
    if (index.get(SENTINEL).revision() == 0) {
      source.put("sys", "sentinel", service(port("http", 80)), slice("http", 8080));
      index.retain(SENTINEL);
    }
    int n = index.get(SENTINEL).endpoints().size() + 1;
    String[] addresses = new String[n];
    for (int i = 0; i < n; i++) {
      addresses[i] = "10.9.0." + (i + 1);
    }
    source.put("sys", "sentinel", service(port("http", 80)), slice("http", 8080, addresses));
    feed.serviceChanged("sys", "sentinel");
    EndpointSet s;
    do {
      s = next();
    } while (!s.key().equals(SENTINEL) || s.endpoints().size() != n);
  }

  /** The informer caches: a Service and its slices per namespace/name. */
  private static final class FakeSource implements KubernetesEndpointFeed.Source {
    final Map<ServiceRef, V1Service> services = new ConcurrentHashMap<>();
    final Map<ServiceRef, List<V1EndpointSlice>> slices = new ConcurrentHashMap<>();
    volatile boolean synced = true;

    void put(String ns, String name, V1Service service, V1EndpointSlice... serviceSlices) {
      services.put(new ServiceRef(ns, name), service);
      slices.put(new ServiceRef(ns, name), List.of(serviceSlices));
    }

    void delete(String ns, String name) {
      services.remove(new ServiceRef(ns, name));
      slices.remove(new ServiceRef(ns, name));
    }

    @Override
    public V1Service service(String namespace, String name) {
      return services.get(new ServiceRef(namespace, name));
    }

    @Override
    public List<V1EndpointSlice> slices(String namespace, String service) {
      return slices.getOrDefault(new ServiceRef(namespace, service), List.of());
    }

    @Override
    public boolean synced() {
      return synced;
    }
  }

  private static V1ServicePort port(String name, int number) {
    return new V1ServicePort().name(name).port(number);
  }

  private static V1Service service(V1ServicePort... ports) {
    return new V1Service().spec(new V1ServiceSpec().type("ClusterIP").ports(List.of(ports)));
  }

  private static V1EndpointSlice slice(String portName, int port, String... addresses) {
    List<V1Endpoint> endpoints = new ArrayList<>();
    for (String a : addresses) {
      endpoints.add(
          new V1Endpoint()
              .addresses(List.of(a))
              .conditions(new V1EndpointConditions().ready(true)));
    }
    return new V1EndpointSlice()
        .addressType("IPv4")
        .ports(List.of(new DiscoveryV1EndpointPort().name(portName).port(port).protocol("TCP")))
        .endpoints(endpoints);
  }
}
