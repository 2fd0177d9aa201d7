package io.gatehouse.k8s.watch;

import io.gatehouse.k8s.translate.gateway.GatewayKind;
import io.gatehouse.k8s.translate.gateway.GatewayState;
import io.gatehouse.k8s.translate.gateway.ListedGatewayState;
import io.kubernetes.client.Discovery;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AuthorizationV1Api;
import io.kubernetes.client.openapi.models.V1APIResource;
import io.kubernetes.client.openapi.models.V1APIResourceList;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NamespaceList;
import io.kubernetes.client.openapi.models.V1ResourceAttributes;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReview;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReviewSpec;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Informers for the Gateway API kinds whose CRDs the API server serves (found once, at start,
 * through discovery, which every authenticated user may read), and a Namespace informer for the
 * labels {@code allowedRoutes.namespaces.selector} matches. Each object reaches the translator as
 * plain maps ({@link PlainJson}), copied from the caches at each rebuild.
 */
final class GatewayInformers {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayInformers.class);

  /** Without these the Gateway API cannot be served at all: {@code gatewayApi: true} needs them. */
  static final Set<GatewayKind> CORE =
      EnumSet.of(GatewayKind.GATEWAY_CLASS, GatewayKind.GATEWAY, GatewayKind.HTTP_ROUTE);

  static final String INSTALL_HINT =
      "kubectl apply --server-side -f"
          + " https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.7.0/standard-install.yaml";

  private final Set<GatewayKind> installed;
  private final Map<GatewayKind, List<SharedIndexInformer<DynamicKubernetesObject>>> informers =
      new EnumMap<>(GatewayKind.class);
  private final SharedIndexInformer<V1Namespace> namespaces;
  private final List<SharedInformerFactory> factories = new ArrayList<>();

  /** The last {@link #state()}'s conversions, by cached instance; the watcher's thread only. */
  private Map<DynamicKubernetesObject, Map<String, Object>> converted = new IdentityHashMap<>();

  /**
   * @param installed the kinds to watch ({@link #served})
   * @param watched the namespaces watched; {@code [""]} for all
   * @param changed called (on an informer thread; it must not block) after every event that can
   *     change the translation
   * @param errors called with the informer's name and the list/watch failure
   */
  GatewayInformers(
      ApiClient client,
      Set<GatewayKind> installed,
      List<String> watched,
      Runnable changed,
      BiConsumer<String, Throwable> errors) {
    this.installed = Set.copyOf(installed);
    for (GatewayKind kind : installed) {
      DynamicKubernetesApi api =
          new DynamicKubernetesApi(kind.group(), kind.version(), kind.plural(), client);
      List<String> scopes = kind.namespaced() ? watched : List.of("");
      List<SharedIndexInformer<DynamicKubernetesObject>> list = new ArrayList<>();
      for (String ns : scopes) {
        // a factory holds one informer per Java type, and every kind here is the same type
        SharedInformerFactory f = new SharedInformerFactory(client);
        factories.add(f);
        String what = kind.kind() + (ns.isEmpty() ? "" : " in " + ns);
        SharedIndexInformer<DynamicKubernetesObject> i =
            f.sharedIndexInformerFor(
                new IngressWatcher.Lister<>(api, ns, "", ""),
                DynamicKubernetesObject.class,
                0L,
                (t, e) -> errors.accept(what, e));
        i.addEventHandler(
            new ResourceEventHandler<>() {
              @Override
              public void onAdd(DynamicKubernetesObject obj) {
                changed.run();
              }

              @Override
              public void onUpdate(DynamicKubernetesObject before, DynamicKubernetesObject after) {
                changed.run();
              }

              @Override
              public void onDelete(DynamicKubernetesObject obj, boolean finalStateUnknown) {
                changed.run();
              }
            });
        list.add(i);
      }
      informers.put(kind, list);
    }
    SharedInformerFactory f = new SharedInformerFactory(client);
    factories.add(f);
    namespaces =
        f.sharedIndexInformerFor(
            new IngressWatcher.Lister<>(
                new GenericKubernetesApi<>(
                    V1Namespace.class, V1NamespaceList.class, "", "v1", "namespaces", client),
                "",
                "",
                ""),
            V1Namespace.class,
            0L,
            (t, e) -> errors.accept("Namespace", e));
    namespaces.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(V1Namespace obj) {
            changed.run();
          }

          @Override
          public void onUpdate(V1Namespace before, V1Namespace after) {
            // only labels decide which routes a selector admits (status updates are frequent)
            if (!Objects.equals(labels(before), labels(after))) {
              changed.run();
            }
          }

          @Override
          public void onDelete(V1Namespace obj, boolean finalStateUnknown) {
            changed.run();
          }
        });
  }

  private static Map<String, String> labels(V1Namespace n) {
    return n.getMetadata() == null || n.getMetadata().getLabels() == null
        ? Map.of()
        : n.getMetadata().getLabels();
  }

  /**
   * The kinds of {@link GatewayKind} the API server serves at their {@link GatewayKind#version}
   * (none when the group is unknown).
   */
  static Set<GatewayKind> served(ApiClient client) throws ApiException {
    V1APIResourceList resources;
    try {
      resources = new Discovery(client).resourceDiscovery("/apis/" + GatewayKind.GROUP + "/v1");
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return EnumSet.noneOf(GatewayKind.class);
      }
      throw e;
    }
    Set<String> plurals =
        resources.getResources() == null
            ? Set.of()
            : resources.getResources().stream()
                .map(V1APIResource::getName)
                .collect(Collectors.toSet());
    Set<GatewayKind> out = EnumSet.noneOf(GatewayKind.class);
    for (GatewayKind k : GatewayKind.values()) {
      if (k.version().equals("v1") && plurals.contains(k.plural())) {
        out.add(k);
      }
    }
    return out;
  }

  /**
   * The kinds to watch in {@code mode}, with one log line naming what is missing and how to install
   * it.
   *
   * @throws IllegalStateException when {@code mode} requires the CRDs and a core one is missing
   */
  static Set<GatewayKind> choose(GatewayApiOptions.Mode mode, Set<GatewayKind> served) {
    if (mode == GatewayApiOptions.Mode.OFF) {
      return EnumSet.noneOf(GatewayKind.class);
    }
    Set<GatewayKind> missing = EnumSet.allOf(GatewayKind.class);
    missing.removeAll(served);
    String names = missing.stream().map(GatewayKind::kind).collect(Collectors.joining(", "));
    if (mode == GatewayApiOptions.Mode.REQUIRED && !served.containsAll(CORE)) {
      throw new IllegalStateException(
          "kubernetes.gatewayApi is true but the API server serves no "
              + names
              + " (group "
              + GatewayKind.GROUP
              + ", version v1): install the Gateway API CRDs first ("
              + INSTALL_HINT
              + "), or set kubernetes.gatewayApi to auto");
    }
    if (!served.containsAll(CORE)) {
      LOG.atInfo()
          .setMessage(
              "Gateway API not served: its CRDs are not installed (install them and restart to"
                  + " serve it: "
                  + INSTALL_HINT
                  + ")")
          .addKeyValue("missing", names)
          .log();
      return EnumSet.noneOf(GatewayKind.class);
    }
    if (!missing.isEmpty()) {
      LOG.atInfo()
          .setMessage("Gateway API kinds not served: their CRDs (v1) are not installed")
          .addKeyValue("missing", names)
          .log();
    }
    return EnumSet.copyOf(served);
  }

  /**
   * Of {@code kinds}, those this client may list and watch in every watched scope (asked with
   * SelfSubjectAccessReviews, which every authenticated user may create), and none unless it may
   * list and watch Namespaces. With {@code auto}, a cluster that has the CRDs but still the RBAC of
   * a release before Gateway API support serves its Ingresses as before and says what is missing,
   * rather than failing to start on the first refused list.
   */
  static Set<GatewayKind> permitted(ApiClient client, Set<GatewayKind> kinds, List<String> watched)
      throws ApiException {
    if (kinds.isEmpty()) {
      return kinds;
    }
    AuthorizationV1Api auth = new AuthorizationV1Api(client);
    List<String> refused = new ArrayList<>();
    if (!allowed(auth, "", "namespaces", "")) {
      refused.add("list/watch namespaces");
    }
    Set<GatewayKind> out = EnumSet.noneOf(GatewayKind.class);
    for (GatewayKind k : kinds) {
      boolean ok = true;
      for (String ns : k.namespaced() ? watched : List.of("")) {
        ok &= allowed(auth, k.group(), k.plural(), ns);
      }
      if (ok) {
        out.add(k);
      } else {
        refused.add("list/watch " + k.plural() + "." + k.group());
      }
    }
    if (!refused.isEmpty()) {
      LOG.atWarn()
          .setMessage(
              "Gateway API kinds not watched: missing permission (apply the ClusterRole of"
                  + " k8s/deploy/02-rbac.yaml)")
          .addKeyValue("missing", String.join(", ", refused))
          .log();
    }
    if (!refused.isEmpty() && refused.get(0).endsWith(" namespaces")) {
      return EnumSet.noneOf(GatewayKind.class);
    }
    if (!out.containsAll(CORE)) {
      return EnumSet.noneOf(GatewayKind.class);
    }
    return out;
  }

  private static boolean allowed(
      AuthorizationV1Api auth, String group, String resource, String namespace)
      throws ApiException {
    for (String verb : List.of("list", "watch")) {
      V1ResourceAttributes attributes =
          new V1ResourceAttributes().group(group).resource(resource).verb(verb);
      if (!namespace.isEmpty()) {
        attributes.namespace(namespace);
      }
      V1SelfSubjectAccessReview review =
          auth.createSelfSubjectAccessReview(
                  new V1SelfSubjectAccessReview()
                      .spec(new V1SelfSubjectAccessReviewSpec().resourceAttributes(attributes)))
              .execute();
      if (review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAllowed())) {
        return false;
      }
    }
    return true;
  }

  /** Every informer, for the watcher's sync gate. */
  List<SharedIndexInformer<?>> all() {
    List<SharedIndexInformer<?>> out = new ArrayList<>();
    informers.values().forEach(out::addAll);
    out.add(namespaces);
    return out;
  }

  Set<GatewayKind> installed() {
    return installed;
  }

  /**
   * A copy of the caches as plain maps. An object the cache still holds as the same instance (an
   * update replaces it) keeps its maps from the last call, so a rebuild converts only what changed.
   * Called on the watcher's thread only.
   */
  GatewayState state() {
    Map<DynamicKubernetesObject, Map<String, Object>> now = new IdentityHashMap<>();
    Map<GatewayKind, List<Map<String, Object>>> objects = new EnumMap<>(GatewayKind.class);
    informers.forEach(
        (kind, list) -> {
          List<Map<String, Object>> out = new ArrayList<>();
          for (SharedIndexInformer<DynamicKubernetesObject> i : list) {
            for (DynamicKubernetesObject o : i.getIndexer().list()) {
              Map<String, Object> plain = converted.get(o);
              if (plain == null) {
                plain = PlainJson.object(o.getRaw());
              }
              now.put(o, plain);
              out.add(plain);
            }
          }
          objects.put(kind, out);
        });
    converted = now;
    return new ListedGatewayState(objects, namespaces.getIndexer().list());
  }

  void start() {
    factories.forEach(SharedInformerFactory::startAllRegisteredInformers);
  }

  void stop() {
    factories.forEach(SharedInformerFactory::stopAllRegisteredInformers);
  }
}
