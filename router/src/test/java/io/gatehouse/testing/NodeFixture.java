package io.gatehouse.testing;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.PathMatch;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.node.GatehouseNode;
import io.gatehouse.node.NodeConfig;
import io.gatehouse.observe.ExchangeObserver;
import io.gatehouse.validate.RouteValidator;
import io.gatehouse.validate.Validated;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** A real node on 127.0.0.1 with ephemeral ports, for integration tests. */
public final class NodeFixture implements AutoCloseable {
  private final GatehouseNode node;

  private NodeFixture(GatehouseNode node) {
    this.node = node;
  }

  /** Test defaults: loopback, port 0, one event loop, no readiness grace, quiet, no disk. */
  public static NodeConfig testConfig() {
    return NodeConfig.DEFAULTS
        .withStore(new NodeConfig.Store(""))
        .withAdmin(NodeConfig.Admin.DEFAULTS.withEnabled(false))
        .withHttp(new NodeConfig.Listener("127.0.0.1", 0))
        .withStatus(new NodeConfig.Listener("127.0.0.1", 0))
        .withShutdown(new NodeConfig.Shutdown(Duration.ZERO, Duration.ofSeconds(5)))
        .withLog(new NodeConfig.Log("warn", false))
        .withEventLoops(1);
  }

  /**
   * HTTPS on as well, on loopback port 0, with no certificate directory: every name gets the
   * generated default certificate unless the table binds one.
   */
  public static NodeConfig withHttps(NodeConfig c) {
    return c.withTls(
        new NodeConfig.Tls(
            true, "127.0.0.1", 0, "", "", NodeConfig.Tls.Engine.AUTO, Duration.ofSeconds(2)));
  }

  public static NodeFixture start(RouteSpec... routes) throws Exception {
    return start(UnaryOperator.identity(), routes);
  }

  public static NodeFixture start(UnaryOperator<NodeConfig> tweak, RouteSpec... routes)
      throws Exception {
    GatehouseNode node =
        GatehouseNode.start(tweak.apply(testConfig()), Arrays.asList(routes))
            .await(30, TimeUnit.SECONDS);
    return new NodeFixture(node);
  }

  /** As {@link #start(UnaryOperator, RouteSpec...)}, with {@code observers} on every exchange. */
  public static NodeFixture startObserved(
      List<ExchangeObserver> observers, UnaryOperator<NodeConfig> tweak, RouteSpec... routes)
      throws Exception {
    GatehouseNode node =
        GatehouseNode.start(
                tweak.apply(testConfig()),
                Arrays.asList(routes),
                UnaryOperator.identity(),
                observers)
            .await(30, TimeUnit.SECONDS);
    return new NodeFixture(node);
  }

  /** A validated route {@code name} for {@code host} (Prefix /) to the given endpoints. */
  public static RouteSpec route(String name, String host, String... endpoints) {
    return route(name, List.of(host), List.of(PathMatch.prefix("/")), endpoints);
  }

  public static RouteSpec route(
      String name, List<String> hosts, List<PathMatch> paths, String... endpoints) {
    List<Endpoint> eps =
        Arrays.stream(endpoints)
            .map(
                e -> {
                  int c = e.lastIndexOf(':');
                  return Endpoint.of(e.substring(0, c), Integer.parseInt(e.substring(c + 1)));
                })
            .toList();
    return valid(
        RouteSpec.simple(
            RouteKey.of("default", "cli", name), hosts, paths, BackendSpec.http1(eps)));
  }

  public static RouteSpec valid(RouteSpec spec) {
    Validated<RouteSpec> v = RouteValidator.validate(spec);
    if (!v.isValid()) {
      throw new IllegalArgumentException(v.violations().toString());
    }
    return v.value();
  }

  /** Writes a route and waits until the node serves a snapshot that contains it. */
  public void put(RouteSpec route) {
    long generation = node.table().put(route);
    awaitGeneration(generation);
  }

  public void awaitGeneration(long generation) {
    org.awaitility.Awaitility.await("snapshot generation " + generation)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(1))
        .until(
            () ->
                node.snapshots().get() != null
                    && node.snapshots().get().generation() >= generation);
  }

  public GatehouseNode node() {
    return node;
  }

  public int port() {
    return node.httpPort();
  }

  public int httpsPort() {
    return node.httpsPort();
  }

  public int statusPort() {
    return node.statusPort();
  }

  @Override
  public void close() {
    node.stop().await();
  }
}
