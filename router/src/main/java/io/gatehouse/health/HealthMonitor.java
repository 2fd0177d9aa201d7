package io.gatehouse.health;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.backend.HealthCheck;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.RouteSnapshot;
import io.gatehouse.snapshot.SnapshotHolder;
import io.gatehouse.snapshot.Target;
import io.gatehouse.table.HealthTopic;
import io.gatehouse.upstream.UpstreamClients;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's health work off the request path, on one event loop of its own: finds the endpoints to
 * probe in the served snapshot and the endpoint index (a backend whose endpoints change starts and
 * stops its probers; a route that goes takes its probers along), runs each prober on a Vert.x
 * timer, runs the outlier detector's periodic pass, and joins the cluster's health topic.
 *
 * <p>Probing is split by rendezvous hashing: in a cluster only the member that owns an endpoint
 * probes it and shares the verdict; the others keep their prober armed, idle, to take over at once
 * when the owner leaves.
 */
public final class HealthMonitor extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
  private static final long SWEEP_MILLIS = 100;
  private static final long PRUNE_MILLIS = 30_000;

  private final HealthRegistry registry;
  private final OutlierDetector detector;
  private final HealthTopic topic;
  private final SnapshotHolder snapshots;
  private final EndpointIndex endpoints;

  // Event-loop confined (this verticle's context).
  private final Map<ProbeTarget, Prober> probers = new HashMap<>();
  private @Nullable RouteSnapshot seen;

  /**
   * The newest snapshot handed to this verticle. Not {@link SnapshotHolder#get}: that answers a
   * snapshot only once every subscriber adopted it, this one included, so a reconcile run from the
   * adoption could read the older one and never look again (no probes at all, seen in
   * ClusterEjectionIT under load).
   */
  private @Nullable RouteSnapshot adopted;

  private List<Target> checked = List.of();
  private boolean reconcilePending;
  private @Nullable HealthSharing sharing;
  private @Nullable Probes probes;
  private @Nullable UpstreamClients clients;
  private @Nullable NetClient tcp;
  private SnapshotHolder.@Nullable Subscription snapshotSubscription;
  private @Nullable AutoCloseable endpointSubscription;
  private long sweepTimer = -1;
  private long pruneTimer = -1;

  public HealthMonitor(
      HealthRegistry registry,
      OutlierDetector detector,
      HealthTopic topic,
      SnapshotHolder snapshots,
      EndpointIndex endpoints) {
    this.registry = registry;
    this.detector = detector;
    this.topic = topic;
    this.snapshots = snapshots;
    this.endpoints = endpoints;
  }

  /** Ejection timers on Vert.x: each runs {@code task} once, on an event loop. */
  public static HealthRegistry.Timers timers(Vertx vertx) {
    return (delayNanos, task) ->
        vertx.setTimer(
            Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos) + 1), id -> task.run());
  }

  @Override
  public Future<?> start() {
    UpstreamClients c = new UpstreamClients(vertx, 16 * 1024);
    clients = c;
    NetClient net = vertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000));
    tcp = net;
    probes = new Probes(vertx, c, net);
    sharing = new HealthSharing(topic, registry, this::soon);
    adopted = snapshots.latest();
    snapshotSubscription =
        snapshots.subscribe(task -> context.runOnContext(v -> task.run()), this::adopt);
    endpointSubscription = endpoints.onChange(set -> soon());
    sweepTimer = vertx.setPeriodic(SWEEP_MILLIS, id -> detector.sweep());
    pruneTimer = vertx.setPeriodic(PRUNE_MILLIS, id -> prune());
    reconcile();
    return Future.succeededFuture();
  }

  /** A delivery may repeat a snapshot or, rarely, be older than one adopted: keep the newest. */
  private void adopt(RouteSnapshot s) {
    RouteSnapshot a = adopted;
    if (a == null || s.generation() >= a.generation()) {
      adopted = s;
    }
    soon();
  }

  /** Reconciles on this loop, once for any number of changes that arrive before it runs. */
  private void soon() {
    context.runOnContext(
        v -> {
          if (!reconcilePending) {
            reconcilePending = true;
            context.runOnContext(w -> reconcile());
          }
        });
  }

  private void reconcile() {
    reconcilePending = false;
    RouteSnapshot s = adopted;
    if (s != seen) {
      seen = s;
      checked = s == null ? List.of() : checkedTargets(s);
    }
    Map<ProbeTarget, Boolean> wanted = new LinkedHashMap<>();
    for (Target t : checked) {
      HealthCheck check = t.policy().healthCheck();
      EndpointSet set = endpoints.get(t.slot());
      if (check == null || !set.key().equals(t.key())) {
        continue;
      }
      for (Endpoint e : set.endpoints()) {
        wanted.put(
            new ProbeTarget(e.host(), e.port(), check, t.protocol(), t.tls(), t.proxyProtocol()),
            Boolean.TRUE);
      }
    }
    List<ProbeTarget> gone = new ArrayList<>();
    for (ProbeTarget t : probers.keySet()) {
      if (!wanted.containsKey(t)) {
        gone.add(t);
      }
    }
    for (ProbeTarget t : gone) {
      Prober p = probers.remove(t);
      if (p != null) {
        p.stop();
      }
    }
    for (ProbeTarget t : wanted.keySet()) {
      probers.computeIfAbsent(t, Prober::new).schedule();
    }
    Set<String> stillProbed = new HashSet<>();
    for (ProbeTarget t : probers.keySet()) {
      stillProbed.add(t.authority());
    }
    for (ProbeTarget t : gone) {
      if (!stillProbed.contains(t.authority())) {
        // Nobody probes it any more: no verdict of a check that no longer exists holds it out.
        registry.verdict(t.host(), t.port(), true, false, "no check");
      }
    }
  }

  /** The targets of {@code s} whose backend has an active check, one per slot and policy. */
  private static List<Target> checkedTargets(RouteSnapshot s) {
    Map<List<Object>, Target> out = new LinkedHashMap<>();
    for (CompiledRoute r : s.routes()) {
      for (Target t : r.allTargets()) {
        if (t.policy().healthCheck() != null) {
          out.putIfAbsent(List.of(t.slot(), t.policy(), t.protocol()), t);
        }
      }
    }
    return List.copyOf(out.values());
  }

  /** Forgets the state of endpoints that no route's backend lists any more. */
  private void prune() {
    RouteSnapshot s = adopted;
    if (s == null) {
      return;
    }
    List<Endpoint> live = new ArrayList<>();
    Set<Integer> slots = new HashSet<>();
    for (CompiledRoute r : s.routes()) {
      for (Target t : r.allTargets()) {
        if (slots.add(t.slot())) {
          live.addAll(endpoints.get(t.slot()).endpoints());
        }
      }
    }
    registry.retainOnly(live);
    detector.retainSlots(slots);
  }

  /** How many endpoints this node has a prober for (owned or standing by); for tests. */
  public int probers() {
    return probers.size();
  }

  @Override
  public Future<?> stop() {
    for (Prober p : probers.values()) {
      p.stop();
    }
    probers.clear();
    vertx.cancelTimer(sweepTimer);
    vertx.cancelTimer(pruneTimer);
    if (snapshotSubscription != null) {
      snapshotSubscription.close();
    }
    try {
      if (endpointSubscription != null) {
        endpointSubscription.close();
      }
    } catch (Exception e) {
      LOG.debug("closing the endpoint subscription: {}", e.toString());
    }
    if (sharing != null) {
      sharing.close();
    }
    if (clients != null) {
      clients.close();
    }
    return tcp == null ? Future.succeededFuture() : tcp.close();
  }

  /** Probes one endpoint on a timer while this member owns it. */
  private final class Prober {
    private final ProbeTarget target;
    private CheckStreak streak = new CheckStreak();
    private long timer = -1;
    private boolean running;
    private boolean first = true;
    private boolean stopped;

    Prober(ProbeTarget target) {
      this.target = target;
    }

    /** Arms the next probe unless one is armed or running. */
    void schedule() {
      if (stopped || timer >= 0 || running) {
        return;
      }
      long delay = CheckStreak.delayMillis(target.check(), first, ThreadLocalRandom.current());
      first = false;
      timer = vertx.setTimer(delay, id -> run());
    }

    private void run() {
      timer = -1;
      HealthSharing s = sharing;
      Probes p = probes;
      if (stopped || s == null || p == null) {
        return;
      }
      if (!s.owns(target.authority())) {
        streak = new CheckStreak(); // an owner again later starts its own count
        schedule();
        return;
      }
      running = true;
      p.probe(target)
          .onComplete(
              ar -> {
                running = false;
                if (stopped) {
                  return;
                }
                boolean passed = ar.succeeded() && Boolean.TRUE.equals(ar.result());
                boolean healthy = registry.healthy(target.host(), target.port());
                Boolean verdict = streak.record(passed, healthy, target.check());
                if (verdict != null) {
                  registry.verdict(target.host(), target.port(), verdict, true, "");
                }
                schedule();
              });
    }

    void stop() {
      stopped = true;
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }
}
