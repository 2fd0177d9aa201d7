package io.gatehouse.k8s.watch;

import io.gatehouse.k8s.translate.ListedClusterState;
import io.gatehouse.k8s.translate.Translation;
import io.gatehouse.k8s.translate.gateway.GatewayCondition;
import io.gatehouse.k8s.translate.gateway.GatewayKind;
import io.gatehouse.k8s.translate.gateway.GatewayState;
import io.gatehouse.k8s.translate.gateway.ObjectRef;
import io.gatehouse.k8s.translate.gateway.ObjectStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.Address;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.ClassStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.GatewayStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.ListenerStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.ParentRef;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.PolicyStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.RouteGroupKind;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.RouteParentStatus;
import io.gatehouse.k8s.translate.gateway.ObjectStatus.RouteStatus;
import io.gatehouse.k8s.translate.gateway.Translations;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.util.PatchUtils;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the {@link ObjectStatus}es of a Gateway API translation through the {@code /status}
 * subresource, as the spec's JSON shapes. Only the leader writes, and only what differs from the
 * object's status:
 *
 * <ul>
 *   <li>a condition whose type and status are unchanged keeps its {@code lastTransitionTime} (as
 *       {@code meta.SetStatusCondition}); a new one, or one whose status changed, gets the current
 *       time; conditions of types this controller does not set are kept as they are;
 *   <li>on routes, only the {@code status.parents} entries whose {@code controllerName} is ours are
 *       replaced; other controllers' entries stay as they are, in place; our entries on a route the
 *       translation no longer names a parent of ours for are removed;
 *   <li>every write carries the cached {@code resourceVersion}, so a write over a status another
 *       controller changed meanwhile fails (409) instead of dropping its entries; the update event
 *       brings a rebuild that writes again from the newer object.
 * </ul>
 *
 * Fields the CRDs default ({@code parentRef.group}/{@code kind}, {@code supportedKinds[].group},
 * {@code addresses[].type}) are written explicitly, so what the server stores equals what was
 * written and the next rebuild finds nothing to do.
 */
public final class GatewayStatusWriter implements TranslationSink {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayStatusWriter.class);
  private static final Set<GatewayKind> ROUTES =
      EnumSet.of(GatewayKind.HTTP_ROUTE, GatewayKind.GRPC_ROUTE, GatewayKind.TLS_ROUTE);

  private final ApiClient client;
  private final CustomObjectsApi api;
  private final BooleanSupplier leader;
  private final String controllerName;
  private final Clock clock;

  /** Refusals already logged (object and message), so a status the server refuses logs once. */
  private final Set<String> refusals = new HashSet<>();

  private volatile long writes;

  /**
   * @param controllerName ours: route parents entries with it are this writer's
   */
  public GatewayStatusWriter(
      ApiClient client, BooleanSupplier leader, String controllerName, Clock clock) {
    this.client = Objects.requireNonNull(client, "client");
    this.api = new CustomObjectsApi(client);
    this.leader = Objects.requireNonNull(leader, "leader");
    this.controllerName = Objects.requireNonNull(controllerName, "controllerName");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Status writes sent so far (for tests: a rebuild with nothing new sends none). */
  public long writes() {
    return writes;
  }

  @Override
  public boolean wanted() {
    return leader.getAsBoolean();
  }

  @Override
  public void publish(Translation translation, ListedClusterState state) {
    // Ingress status is StatusWriter's; this sink reads the Gateway API half only
  }

  @Override
  public void publish(Translations t, ListedClusterState state, GatewayState gateways)
      throws ApiException {
    if (!leader.getAsBoolean()) {
      return;
    }
    Map<ObjectRef, Map<String, Object>> objects = index(gateways);
    String now =
        DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
    ApiException first = null;
    Set<ObjectRef> routesWithStatus = new HashSet<>();
    List<Wanted> wanted = new ArrayList<>();
    for (ObjectStatus s : t.gateway().statuses()) {
      Map<String, Object> object = objects.get(s.ref());
      if (object == null) {
        continue; // deleted meanwhile, or not in the cache yet: its event brings a rebuild
      }
      Map<String, Object> current = map(object.get("status"));
      Map<String, Object> desired;
      if (s instanceof ClassStatus c) {
        desired = classStatus(current, c, now);
      } else if (s instanceof GatewayStatus g) {
        desired = gatewayStatus(current, g, now);
      } else if (s instanceof PolicyStatus p) {
        routesWithStatus.add(p.ref());
        desired = entries(current, ANCESTORS, p.ancestors(), now);
      } else {
        RouteStatus r = (RouteStatus) s;
        routesWithStatus.add(r.ref());
        desired = entries(current, PARENTS, r.parents(), now);
      }
      wanted.add(new Wanted(s.ref(), object, desired));
    }
    // our entries on routes no parent of ours names any more, and on policies no route of ours
    // uses
    for (Map.Entry<ObjectRef, Map<String, Object>> e : objects.entrySet()) {
      Entries kind =
          ROUTES.contains(e.getKey().kind())
              ? PARENTS
              : e.getKey().kind() == GatewayKind.BACKEND_TLS_POLICY ? ANCESTORS : null;
      if (kind != null && !routesWithStatus.contains(e.getKey())) {
        Map<String, Object> current = map(e.getValue().get("status"));
        if (list(current.get(kind.list())).stream().anyMatch(this::ours)) {
          wanted.add(new Wanted(e.getKey(), e.getValue(), entries(current, kind, List.of(), now)));
        }
      }
    }
    for (Wanted w : wanted) {
      if (w.status().equals(map(w.object().get("status")))) {
        continue;
      }
      try {
        write(w.ref(), w.object(), w.status());
      } catch (ApiException e) {
        if (e.getCode() == 409 || e.getCode() == 404) {
          // the cache is behind (changed or deleted): the event brings a rebuild that tries again
          continue;
        }
        if (e.getCode() == 422) {
          // the server refuses this status: retrying the same one cannot help
          if (refusals.size() > 1_000) {
            refusals.clear(); // bounded: at worst a refusal is logged again
          }
          if (refusals.add(w.ref() + " " + e.getResponseBody())) {
            LOG.atWarn()
                .setMessage("Gateway API status refused by the API server")
                .addKeyValue("object", w.ref())
                .addKeyValue("error", e.getResponseBody())
                .log();
          }
          continue;
        }
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** A status to have on an object, with the cached object. */
  private record Wanted(ObjectRef ref, Map<String, Object> object, Map<String, Object> status) {}

  private void write(ObjectRef ref, Map<String, Object> object, Map<String, Object> status)
      throws ApiException {
    Object resourceVersion = map(object.get("metadata")).get("resourceVersion");
    // the cached resourceVersion makes the write conditional (409 when the object moved on)
    List<Map<String, Object>> patch =
        List.of(
            Map.of("op", "replace", "path", "/metadata/resourceVersion", "value", resourceVersion),
            Map.of("op", "add", "path", "/status", "value", status));
    String body = client.getJSON().serialize(patch);
    GatewayKind k = ref.kind();
    PatchUtils.patch(
        Object.class,
        () ->
            k.namespaced()
                ? api.patchNamespacedCustomObjectStatus(
                        k.group(),
                        k.version(),
                        ref.namespace(),
                        k.plural(),
                        ref.name(),
                        new V1Patch(body))
                    .buildCall(null)
                : api.patchClusterCustomObjectStatus(
                        k.group(), k.version(), k.plural(), ref.name(), new V1Patch(body))
                    .buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_PATCH,
        client);
    writes++;
  }

  // ---------------------------------------------------------------------------------------------
  // The spec's shapes

  private Map<String, Object> classStatus(Map<String, Object> current, ClassStatus c, String now) {
    Map<String, Object> out = new LinkedHashMap<>(current);
    out.put("conditions", conditions(list(current.get("conditions")), c.conditions(), now));
    return out;
  }

  private Map<String, Object> gatewayStatus(
      Map<String, Object> current, GatewayStatus g, String now) {
    Map<String, Object> out = new LinkedHashMap<>(current);
    List<Object> addresses = new ArrayList<>();
    for (Address a : g.addresses()) {
      addresses.add(ordered("type", a.type(), "value", a.value()));
    }
    // a ListenerSet's status has no addresses: the server would prune them, and every rebuild would
    // find the status different and write it again
    if (addresses.isEmpty() || g.ref().kind() == GatewayKind.LISTENER_SET) {
      out.remove("addresses");
    } else {
      out.put("addresses", List.copyOf(addresses));
    }
    out.put("conditions", conditions(list(current.get("conditions")), g.conditions(), now));
    Map<String, Map<String, Object>> listenersBefore = new HashMap<>();
    for (Object l : list(current.get("listeners"))) {
      Map<String, Object> m = map(l);
      if (m.get("name") instanceof String name) {
        listenersBefore.put(name, m);
      }
    }
    List<Object> listeners = new ArrayList<>();
    for (ListenerStatus l : g.listeners()) {
      Map<String, Object> before = listenersBefore.getOrDefault(l.name(), Map.of());
      List<Object> kinds = new ArrayList<>();
      for (RouteGroupKind k : l.supportedKinds()) {
        kinds.add(ordered("group", k.group(), "kind", k.kind()));
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", l.name());
      m.put("supportedKinds", List.copyOf(kinds));
      m.put("attachedRoutes", (long) l.attachedRoutes());
      m.put("conditions", conditions(list(before.get("conditions")), l.conditions(), now));
      listeners.add(m);
    }
    if (listeners.isEmpty()) {
      out.remove("listeners");
    } else {
      out.put("listeners", List.copyOf(listeners));
    }
    Integer attachedSets = g.attachedListenerSets();
    if (attachedSets == null) {
      out.remove("attachedListenerSets");
    } else {
      out.put("attachedListenerSets", attachedSets.longValue());
    }
    return out;
  }

  /**
   * A status list of per-parent entries: a route's {@code parents} (each with its {@code
   * parentRef}) or a policy's {@code ancestors} (each with its {@code ancestorRef}).
   */
  private record Entries(String list, String ref) {}

  private static final Entries PARENTS = new Entries("parents", "parentRef");
  private static final Entries ANCESTORS = new Entries("ancestors", "ancestorRef");

  /** Other controllers' entries where they were; ours (in the translation's order) after them. */
  private Map<String, Object> entries(
      Map<String, Object> current, Entries kind, List<RouteParentStatus> parents, String now) {
    Map<String, Object> out = new LinkedHashMap<>(current);
    List<Object> before = list(current.get(kind.list()));
    List<Object> entries = new ArrayList<>();
    for (Object e : before) {
      if (!ours(e)) {
        entries.add(e);
      }
    }
    for (RouteParentStatus p : parents) {
      Map<String, Object> ref = parentRef(p.parentRef());
      List<Object> previous = List.of();
      for (Object e : before) {
        if (ours(e) && ref.equals(map(map(e).get(kind.ref())))) {
          previous = list(map(e).get("conditions"));
        }
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put(kind.ref(), ref);
      m.put("controllerName", controllerName);
      m.put("conditions", conditions(previous, p.conditions(), now));
      entries.add(m);
    }
    if (!entries.isEmpty() || current.containsKey(kind.list())) {
      out.put(kind.list(), List.copyOf(entries));
    }
    return out;
  }

  private boolean ours(Object parentStatus) {
    return controllerName.equals(map(parentStatus).get("controllerName"));
  }

  static Map<String, Object> parentRef(ParentRef r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("group", r.group() == null ? GatewayKind.GROUP : r.group());
    m.put("kind", r.kind() == null ? "Gateway" : r.kind());
    if (r.namespace() != null) {
      m.put("namespace", r.namespace());
    }
    m.put("name", r.name());
    if (r.sectionName() != null) {
      m.put("sectionName", r.sectionName());
    }
    if (r.port() != null) {
      m.put("port", (long) r.port());
    }
    return m;
  }

  /** Condition types of ours that exist only while they hold (the Gateway API removes them). */
  private static final Set<Object> REMOVED_WHEN_UNSET = Set.of("InsecureFrontendValidationMode");

  /** Conditions as written, each keeping its time when nothing but the time would change. */
  static List<Object> conditions(List<Object> before, List<GatewayCondition> wanted, String now) {
    List<Object> out = new ArrayList<>();
    Set<Object> ours = new HashSet<>();
    for (GatewayCondition c : wanted) {
      ours.add(c.type());
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("type", c.type());
      m.put("status", c.status());
      m.put("reason", c.reason());
      m.put("message", c.message());
      m.put("observedGeneration", c.observedGeneration());
      // as meta.SetStatusCondition: the time of the last change of status, not of reason or
      // message
      String time = now;
      for (Object b : before) {
        Map<String, Object> old = map(b);
        if (c.type().equals(old.get("type"))
            && c.status().equals(old.get("status"))
            && old.get("lastTransitionTime") instanceof String t) {
          time = t;
        }
      }
      m.put("lastTransitionTime", time);
      out.add(m);
    }
    // conditions of types another controller (or a person) set are theirs: kept as they are; a
    // type only we set while it holds is removed when it no longer does (as the spec asks)
    for (Object b : before) {
      Object type = map(b).get("type");
      if (!ours.contains(type) && !REMOVED_WHEN_UNSET.contains(type)) {
        out.add(b);
      }
    }
    return List.copyOf(out);
  }

  /** Objects that carry a status of ours, by reference. */
  private static Map<ObjectRef, Map<String, Object>> index(GatewayState state) {
    Map<ObjectRef, Map<String, Object>> out = new HashMap<>();
    for (GatewayKind kind : GatewayKind.values()) {
      for (Map<String, Object> o : state.objects(kind)) {
        Map<String, Object> meta = map(o.get("metadata"));
        if (meta.get("name") instanceof String name) {
          String ns = meta.get("namespace") instanceof String n ? n : "";
          out.put(new ObjectRef(kind, ns, name), o);
        }
      }
    }
    return out;
  }

  private static Map<String, Object> ordered(String k1, Object v1, String k2, Object v2) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(k1, v1);
    m.put(k2, v2);
    return m;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(@Nullable Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(@Nullable Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }
}
