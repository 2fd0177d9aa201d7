package io.gatehouse.k8s.watch;

import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.k8s.translate.ListedClusterState;
import io.gatehouse.k8s.translate.Translation;
import io.gatehouse.k8s.translate.gateway.GatewayKind;
import io.gatehouse.k8s.translate.gateway.GatewayState;
import io.gatehouse.k8s.translate.gateway.GatewayTranslator;
import io.gatehouse.k8s.translate.gateway.Translations;
import io.gatehouse.model.HostClaim;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ListerWatcher;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ConfigMapList;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1EndpointSliceList;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressClass;
import io.kubernetes.client.openapi.models.V1IngressClassList;
import io.kubernetes.client.openapi.models.V1IngressList;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecretList;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceList;
import io.kubernetes.client.util.CallGeneratorParams;
import io.kubernetes.client.util.Watchable;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.options.ListOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches IngressClasses, Ingresses, Services, EndpointSlices, TLS Secrets, Opaque Secrets (the
 * users and client CAs access annotations name) and ConfigMaps (ingress-nginx's controller
 * ConfigMap, and those annotations name), and the Gateway API kinds whose CRDs are installed with
 * Namespaces ({@link GatewayApiOptions}, {@link GatewayInformers}), and after every burst of
 * changes translates the whole state ({@link Translations#of}) and hands it to the sinks (unless no
 * sink {@linkplain TranslationSink#wanted wants} it, as on a replica that does not lead). A DEBUG
 * line per rebuild says where its time went.
 *
 * <ul>
 *   <li>An EndpointSlice event rebuilds only when it changes the refused slice addresses the last
 *       translation read ({@link SliceRefusals}): routes refer to Service ports, whose endpoints
 *       each node's {@link KubernetesEndpointFeed} follows, so re-translating every Ingress on each
 *       slice event would only repeat the same translation.
 *   <li>Nothing is published before every informer has listed once: a half-synced cache would
 *       delete the routes of everything not listed yet.
 *   <li>Events are merged: a rebuild runs {@code holdOff} after the last event, and at most {@code
 *       maxDelay} after the first one of a burst, so a steady stream still publishes.
 *   <li>All work happens on one thread of the watcher's own: table writes block, and informer
 *       callbacks must return quickly.
 *   <li>When a watch fails (410 Gone, the API server down), client-java's reflector relists with
 *       backoff; the caches, and so the table, keep the last state meanwhile. A refused list (403)
 *       is recorded with the server's message, which names the verb and resource.
 * </ul>
 */
public final class IngressWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IngressWatcher.class);
  private static final java.time.Duration RETRY = java.time.Duration.ofSeconds(1);
  static final String TLS_SECRETS = "type=kubernetes.io/tls";
  static final String OPAQUE_SECRETS = "type=Opaque";

  private final IngressWatcherOptions options;
  private final IngressTranslator translator;
  private final Supplier<Map<String, HostClaim>> claims;
  private final List<TranslationSink> sinks;
  private final List<SharedInformerFactory> factories = new ArrayList<>();
  private final List<SharedIndexInformer<V1IngressClass>> classes = new ArrayList<>();
  private final List<SharedIndexInformer<V1Ingress>> ingresses = new ArrayList<>();
  private final List<SharedIndexInformer<V1Service>> services = new ArrayList<>();
  private final List<SharedIndexInformer<V1EndpointSlice>> slices = new ArrayList<>();
  private final List<SharedIndexInformer<V1Secret>> secrets = new ArrayList<>();
  private final List<SharedIndexInformer<V1ConfigMap>> configMaps = new ArrayList<>();
  private final List<SharedIndexInformer<?>> all = new ArrayList<>();
  private final List<KubernetesEndpointFeed> feeds = new CopyOnWriteArrayList<>();

  /** EndpointSlice index: {@code namespace/service} from the {@code service-name} label. */
  private static final String BY_SERVICE = "byService";

  private static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  private final Map<String, String> errors = new ConcurrentHashMap<>();
  private final ScheduledExecutorService loop;
  private final CompletableFuture<Void> firstPublish = new CompletableFuture<>();

  // confined to the loop thread
  private @Nullable ScheduledFuture<?> pending;
  private long burstStartNanos = -1;
  private boolean synced;
  private final SliceRefusals sliceRefusals;
  private volatile long rebuilds;
  private volatile long sliceEvents;
  private volatile long sliceRebuilds;
  private volatile long secretEvents;
  private volatile long secretRebuilds;
  private volatile long configMapEvents;
  private volatile long configMapRebuilds;

  /** The Secrets the last translation asked for; confined to the loop thread. */
  private Set<String> secretsAsked = Set.of();

  /** The ConfigMaps the last translation asked for; confined to the loop thread. */
  private Set<String> configMapsAsked = Set.of();

  private volatile boolean closed;

  private final GatewayApiOptions gatewayOptions;

  /** The Ingress translator's clock, for the Gateway translator's certificate checks too. */
  private final Clock clock;

  /** The Gateway API informers; null when it is off or its CRDs are not installed. */
  private final @Nullable GatewayInformers gateways;

  /**
   * Without the Gateway API.
   *
   * @param claims the table's current host claims (read at every rebuild)
   * @param sinks called in order with each new translation
   */
  public IngressWatcher(
      ApiClient client,
      IngressWatcherOptions options,
      Clock clock,
      Supplier<Map<String, HostClaim>> claims,
      List<TranslationSink> sinks) {
    this(client, options, GatewayApiOptions.OFF, clock, claims, sinks);
  }

  /**
   * @param gateway whether to watch the Gateway API kinds (a discovery call here decides which are
   *     installed)
   * @param claims the table's current host claims (read at every rebuild)
   * @param sinks called in order with each new translation
   * @throws IllegalStateException when {@code gateway} requires CRDs the server does not serve, or
   *     discovery fails
   */
  public IngressWatcher(
      ApiClient client,
      IngressWatcherOptions options,
      GatewayApiOptions gateway,
      Clock clock,
      Supplier<Map<String, HostClaim>> claims,
      List<TranslationSink> sinks) {
    this.options = Objects.requireNonNull(options, "options");
    this.gatewayOptions = Objects.requireNonNull(gateway, "gateway");
    this.clock = clock;
    this.translator =
        new IngressTranslator(
            options.className(), clock, options.upstreams(), options.nginxConfigMap());
    this.claims = Objects.requireNonNull(claims, "claims");
    this.sinks = List.copyOf(sinks);
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "gatehouse-k8s-watch");
              t.setDaemon(true);
              return t;
            });
    // IngressClasses are cluster-scoped: one informer, whatever the namespaces
    SharedInformerFactory clusterWide = new SharedInformerFactory(client);
    factories.add(clusterWide);
    classes.add(
        inform(
            clusterWide,
            new GenericKubernetesApi<>(
                V1IngressClass.class,
                V1IngressClassList.class,
                "networking.k8s.io",
                "v1",
                "ingressclasses",
                client),
            V1IngressClass.class,
            null,
            "",
            ""));
    List<String> namespaces = options.namespaces().isEmpty() ? List.of("") : options.namespaces();
    for (int i = 0; i < namespaces.size(); i++) {
      String ns = namespaces.get(i);
      // a factory holds one informer per type, so each namespace gets its own
      SharedInformerFactory f = i == 0 ? clusterWide : new SharedInformerFactory(client);
      if (i > 0) {
        factories.add(f);
      }
      ingresses.add(
          inform(
              f,
              new GenericKubernetesApi<>(
                  V1Ingress.class,
                  V1IngressList.class,
                  "networking.k8s.io",
                  "v1",
                  "ingresses",
                  client),
              V1Ingress.class,
              ns,
              options.ingressLabelSelector(),
              ""));
      services.add(
          inform(
              f,
              new GenericKubernetesApi<>(
                  V1Service.class, V1ServiceList.class, "", "v1", "services", client),
              V1Service.class,
              ns,
              "",
              ""));
      slices.add(
          inform(
              f,
              new GenericKubernetesApi<>(
                  V1EndpointSlice.class,
                  V1EndpointSliceList.class,
                  "discovery.k8s.io",
                  "v1",
                  "endpointslices",
                  client),
              V1EndpointSlice.class,
              ns,
              "",
              "",
              false));
      services.get(services.size() - 1).addEventHandler(feedEvents(m -> m.getName()));
      SharedIndexInformer<V1EndpointSlice> sliceInformer = slices.get(slices.size() - 1);
      sliceInformer.addIndexers(
          Map.of(
              BY_SERVICE,
              slice -> {
                String svc = serviceOf(slice);
                return svc == null
                    ? List.of()
                    : List.of(slice.getMetadata().getNamespace() + "/" + svc);
              }));
      sliceInformer.addEventHandler(
          feedEvents(m -> m.getLabels() == null ? null : m.getLabels().get(SERVICE_NAME_LABEL)));
      sliceInformer.addEventHandler(sliceHandler());
      secrets.add(
          inform(
              f,
              new GenericKubernetesApi<>(
                  V1Secret.class, V1SecretList.class, "", "v1", "secrets", client),
              V1Secret.class,
              ns,
              "",
              TLS_SECRETS));
      // the Secrets access annotations name (htpasswd users, client CAs): Opaque ones, in a
      // factory of their own (a factory holds one informer per type). An event rebuilds only
      // when the last translation asked for that Secret (found or not), so a changed Secret
      // reaches its routes and the many Opaque Secrets no Ingress names cost no rebuild
      SharedInformerFactory opaque = new SharedInformerFactory(client);
      factories.add(opaque);
      SharedIndexInformer<V1Secret> opaqueInformer =
          inform(
              opaque,
              new GenericKubernetesApi<>(
                  V1Secret.class, V1SecretList.class, "", "v1", "secrets", client),
              V1Secret.class,
              ns,
              "",
              OPAQUE_SECRETS,
              false);
      opaqueInformer.addEventHandler(secretHandler());
      secrets.add(opaqueInformer);
      // ConfigMaps (ingress-nginx's controller ConfigMap, custom-headers): an event rebuilds only
      // when the last translation asked for that ConfigMap, as for Opaque Secrets
      configMaps.add(configMapInformer(f, client, ns, ""));
    }
    String controller = options.nginxConfigMap();
    if (!controller.isEmpty() && !namespaces.contains("")) {
      String cmNamespace = controller.substring(0, controller.indexOf('/'));
      if (!namespaces.contains(cmNamespace)) {
        // the controller's namespace is not watched: that one ConfigMap only
        SharedInformerFactory own = new SharedInformerFactory(client);
        factories.add(own);
        configMaps.add(
            configMapInformer(
                own,
                client,
                cmNamespace,
                "metadata.name=" + controller.substring(controller.indexOf('/') + 1)));
      }
    }
    this.sliceRefusals =
        new SliceRefusals(
            IngressTranslator.serviceEndpoints(options.upstreams()), endpointSource());
    Set<GatewayKind> kinds = Set.of();
    if (gateway.mode() != GatewayApiOptions.Mode.OFF) {
      try {
        kinds = GatewayInformers.choose(gateway.mode(), GatewayInformers.served(client));
        if (gateway.mode() == GatewayApiOptions.Mode.AUTO) {
          kinds = GatewayInformers.permitted(client, kinds, namespaces);
        }
      } catch (ApiException e) {
        loop.shutdownNow();
        throw new IllegalStateException(
            "cannot discover the Gateway API CRDs or permissions (HTTP "
                + e.getCode()
                + "): "
                + reason(e),
            e);
      } catch (IllegalStateException e) {
        loop.shutdownNow(); // no watcher to close: the caller never gets one
        throw e;
      }
    }
    if (kinds.isEmpty()) {
      this.gateways = null;
    } else {
      this.gateways = new GatewayInformers(client, kinds, namespaces, this::changed, this::onError);
      all.addAll(gateways.all());
    }
  }

  /** The Gateway API kinds watched (their CRDs installed); empty when not served. */
  public Set<GatewayKind> gatewayKinds() {
    return gateways == null ? Set.of() : gateways.installed();
  }

  private <T extends KubernetesObject, L extends KubernetesListObject>
      SharedIndexInformer<T> inform(
          SharedInformerFactory factory,
          GenericKubernetesApi<T, L> api,
          Class<T> type,
          @Nullable String namespace,
          String labelSelector,
          String fieldSelector) {
    return inform(factory, api, type, namespace, labelSelector, fieldSelector, true);
  }

  /**
   * @param everyEventRebuilds false for EndpointSlices, whose events rebuild only when {@link
   *     SliceRefusals} says so
   */
  private <T extends KubernetesObject, L extends KubernetesListObject>
      SharedIndexInformer<T> inform(
          SharedInformerFactory factory,
          GenericKubernetesApi<T, L> api,
          Class<T> type,
          @Nullable String namespace,
          String labelSelector,
          String fieldSelector,
          boolean everyEventRebuilds) {
    String what =
        type.getSimpleName() + (namespace == null || namespace.isEmpty() ? "" : " in " + namespace);
    SharedIndexInformer<T> informer =
        factory.sharedIndexInformerFor(
            new Lister<>(api, namespace, labelSelector, fieldSelector),
            type,
            0L,
            (t, e) -> onError(what, e));
    all.add(informer);
    if (!everyEventRebuilds) {
      return informer;
    }
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(T obj) {
            changed();
          }

          @Override
          public void onUpdate(T oldObj, T newObj) {
            changed();
          }

          @Override
          public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            changed();
          }
        });
    return informer;
  }

  private SharedIndexInformer<V1ConfigMap> configMapInformer(
      SharedInformerFactory factory, ApiClient client, String namespace, String fieldSelector) {
    SharedIndexInformer<V1ConfigMap> informer =
        inform(
            factory,
            new GenericKubernetesApi<>(
                V1ConfigMap.class, V1ConfigMapList.class, "", "v1", "configmaps", client),
            V1ConfigMap.class,
            namespace,
            "",
            fieldSelector,
            false);
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(V1ConfigMap obj) {
            post(obj.getMetadata());
          }

          @Override
          public void onUpdate(V1ConfigMap oldObj, V1ConfigMap newObj) {
            post(newObj.getMetadata());
          }

          @Override
          public void onDelete(V1ConfigMap obj, boolean deletedFinalStateUnknown) {
            post(obj.getMetadata());
          }

          private void post(@Nullable V1ObjectMeta m) {
            if (m == null) {
              return;
            }
            String key = m.getNamespace() + "/" + m.getName();
            try {
              loop.execute(() -> configMapChanged(key));
            } catch (RejectedExecutionException closed) {
              // closing: the event no longer matters
            }
          }
        });
    return informer;
  }

  private void configMapChanged(String key) {
    if (!synced) {
      return; // the first rebuild lists every ConfigMap anyway
    }
    if (configMapsAsked.contains(key)) {
      configMapRebuilds++;
      schedule();
    }
    configMapEvents++;
  }

  /** Opaque Secret events, checked on the watcher's thread against the last translation. */
  private ResourceEventHandler<V1Secret> secretHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(V1Secret obj) {
        post(obj);
      }

      @Override
      public void onUpdate(V1Secret oldObj, V1Secret newObj) {
        post(newObj);
      }

      @Override
      public void onDelete(V1Secret obj, boolean deletedFinalStateUnknown) {
        post(obj);
      }

      private void post(V1Secret secret) {
        V1ObjectMeta m = secret.getMetadata();
        if (m == null) {
          return;
        }
        String key = m.getNamespace() + "/" + m.getName();
        try {
          loop.execute(() -> secretChanged(key));
        } catch (RejectedExecutionException closed) {
          // closing: the event no longer matters
        }
      }
    };
  }

  private void secretChanged(String key) {
    if (!synced) {
      return; // the first rebuild lists every Secret anyway
    }
    if (secretsAsked.contains(key)) {
      secretRebuilds++;
      schedule();
    }
    secretEvents++;
  }

  /** EndpointSlice events, checked on the watcher's thread against the last translation. */
  private ResourceEventHandler<V1EndpointSlice> sliceHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(V1EndpointSlice obj) {
        post(obj);
      }

      @Override
      public void onUpdate(V1EndpointSlice oldObj, V1EndpointSlice newObj) {
        post(newObj);
        String before = serviceOf(oldObj);
        if (before != null && !before.equals(serviceOf(newObj))) {
          post(oldObj); // relabelled: it left the other Service
        }
      }

      @Override
      public void onDelete(V1EndpointSlice obj, boolean deletedFinalStateUnknown) {
        post(obj);
      }

      private void post(V1EndpointSlice slice) {
        String service = serviceOf(slice);
        if (service == null) {
          return; // belongs to no Service, so no translation reads it
        }
        String namespace = slice.getMetadata().getNamespace();
        try {
          loop.execute(() -> sliceChanged(namespace, service));
        } catch (RejectedExecutionException closed) {
          // closing: the event no longer matters
        }
      }
    };
  }

  private void sliceChanged(String namespace, String service) {
    if (!synced) {
      return; // the first rebuild lists every slice anyway
    }
    boolean rebuild = sliceRefusals.changes(namespace, service);
    if (rebuild) {
      sliceRebuilds++;
      schedule();
    }
    sliceEvents++;
  }

  /**
   * Sends every Service and EndpointSlice event to {@code feed} (as the Service it concerns), and
   * tells it when the caches have listed. Call before {@link #start}. The feed reads the same
   * caches through {@link #endpointSource}, so the API server sees no extra watch.
   */
  public void feedEndpoints(KubernetesEndpointFeed feed) {
    feeds.add(Objects.requireNonNull(feed, "feed"));
  }

  /** This watcher's Service and EndpointSlice caches, for {@link KubernetesEndpointFeed}. */
  public KubernetesEndpointFeed.Source endpointSource() {
    return new KubernetesEndpointFeed.Source() {
      @Override
      public @Nullable V1Service service(String namespace, String name) {
        String key = namespace + "/" + name;
        for (SharedIndexInformer<V1Service> i : services) {
          V1Service s = i.getIndexer().getByKey(key);
          if (s != null) {
            return s;
          }
        }
        return null;
      }

      @Override
      public List<V1EndpointSlice> slices(String namespace, String service) {
        String key = namespace + "/" + service;
        List<V1EndpointSlice> out = new ArrayList<>();
        for (SharedIndexInformer<V1EndpointSlice> i : slices) {
          out.addAll(i.getIndexer().byIndex(BY_SERVICE, key));
        }
        return out;
      }

      @Override
      public boolean synced() {
        return services.stream().allMatch(SharedIndexInformer::hasSynced)
            && slices.stream().allMatch(SharedIndexInformer::hasSynced);
      }
    };
  }

  private static @Nullable String serviceOf(V1EndpointSlice slice) {
    Map<String, String> labels =
        slice.getMetadata() == null ? null : slice.getMetadata().getLabels();
    return labels == null ? null : labels.get(SERVICE_NAME_LABEL);
  }

  /** A handler passing the namespace and the Service an object names to every feed. */
  private <T extends KubernetesObject> ResourceEventHandler<T> feedEvents(
      Function<V1ObjectMeta, @Nullable String> serviceName) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        send(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        send(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        send(obj);
      }

      private void send(T obj) {
        V1ObjectMeta meta = obj.getMetadata();
        if (meta == null || feeds.isEmpty()) {
          return;
        }
        String name = serviceName.apply(meta);
        for (KubernetesEndpointFeed f : feeds) {
          f.serviceChanged(meta.getNamespace(), name);
        }
      }
    };
  }

  /** Starts the informers; completes after every informer synced and the first publish. */
  public CompletableFuture<Void> start() {
    for (SharedInformerFactory f : factories) {
      f.startAllRegisteredInformers();
    }
    if (gateways != null) {
      gateways.start();
    }
    loop.execute(this::awaitSync);
    return firstPublish;
  }

  /** Whether every informer has listed once and the first translation was published. */
  public boolean isReady() {
    return firstPublish.isDone() && !firstPublish.isCompletedExceptionally();
  }

  /** The last error per informer, e.g. a 403 naming the missing permission; empty when healthy. */
  public Map<String, String> errors() {
    return Map.copyOf(errors);
  }

  /** Rebuilds so far (for tests and status). */
  public long rebuilds() {
    return rebuilds;
  }

  /** EndpointSlice events checked so far (after the first sync; for tests and status). */
  public long sliceEvents() {
    return sliceEvents;
  }

  /**
   * Of the {@link #sliceEvents}, those that asked for a rebuild: they changed the refused slice
   * addresses the last translation read. Counted before {@link #sliceEvents}.
   */
  public long sliceRebuilds() {
    return sliceRebuilds;
  }

  /** Opaque Secret events checked so far (after the first sync; for tests and status). */
  public long secretEvents() {
    return secretEvents;
  }

  /**
   * Of the {@link #secretEvents}, those that asked for a rebuild: the last translation asked for
   * that Secret. Counted before {@link #secretEvents}.
   */
  public long secretRebuilds() {
    return secretRebuilds;
  }

  /** ConfigMap events checked so far (after the first sync; for tests and status). */
  public long configMapEvents() {
    return configMapEvents;
  }

  /**
   * Of the {@link #configMapEvents}, those that asked for a rebuild: the last translation asked for
   * that ConfigMap. Counted before {@link #configMapEvents}.
   */
  public long configMapRebuilds() {
    return configMapRebuilds;
  }

  /** Asks for a rebuild now, e.g. after this node became the leader. */
  public void poke() {
    changed();
  }

  private void awaitSync() {
    if (loop.isShutdown()) {
      return;
    }
    if (all.stream().allMatch(SharedIndexInformer::hasSynced)) {
      synced = true;
      feeds.forEach(KubernetesEndpointFeed::synced);
      LOG.atInfo()
          .setMessage("kubernetes informers synced")
          .addKeyValue("informers", all.size())
          .log();
      rebuild();
      return;
    }
    loop.schedule(this::awaitSync, 20, TimeUnit.MILLISECONDS);
  }

  private void onError(String what, Throwable e) {
    if (closed) {
      return;
    }
    String message =
        e instanceof ApiException api
            ? "HTTP " + api.getCode() + ": " + reason(api)
            : String.valueOf(e.getMessage());
    String previous = errors.put(what, message);
    if (!message.equals(previous)) {
      LOG.atWarn()
          .setMessage("kubernetes list/watch failed; retrying with backoff")
          .addKeyValue("informer", what)
          .addKeyValue("error", message)
          .log();
    }
    if (e instanceof ApiException api && api.getCode() == 403 && !firstPublish.isDone()) {
      firstPublish.completeExceptionally(
          new IllegalStateException("missing permission: " + message, e));
    }
  }

  private static String reason(ApiException e) {
    return e.getResponseBody() != null && !e.getResponseBody().isBlank()
        ? e.getResponseBody()
        : String.valueOf(e.getMessage());
  }

  private void changed() {
    try {
      loop.execute(this::schedule);
    } catch (RejectedExecutionException closed) {
      // closing: the event no longer matters
    }
  }

  private void schedule() {
    if (!synced) {
      return;
    }
    long now = System.nanoTime();
    if (burstStartNanos < 0) {
      burstStartNanos = now;
    }
    long due =
        Math.min(now + options.holdOff().toNanos(), burstStartNanos + options.maxDelay().toNanos());
    if (pending != null) {
      pending.cancel(false);
    }
    pending = loop.schedule(this::rebuild, Math.max(0, due - now), TimeUnit.NANOSECONDS);
  }

  private void rebuild() {
    long started = System.nanoTime();
    long waited = burstStartNanos < 0 ? 0 : started - burstStartNanos;
    burstStartNanos = -1;
    pending = null;
    try {
      if (sinks.stream().noneMatch(TranslationSink::wanted)) {
        // a replica that is not the leader: nothing would use the translation
        sliceRefusals.forget();
        secretsAsked = Set.of(); // the next translation (a leadership change pokes one) reads all
        configMapsAsked = Set.of();
        rebuilds++;
        firstPublish.complete(null);
        return;
      }
      ListedClusterState state =
          new ListedClusterState(
              list(classes),
              list(ingresses),
              list(services),
              list(slices),
              list(secrets),
              list(configMaps));
      GatewayState gatewayState = gateways == null ? GatewayState.NONE : gateways.state();
      long listed = System.nanoTime();
      // the translator is cheap to make; the addresses may change between rebuilds
      Translations both =
          Translations.of(
              translator,
              new GatewayTranslator(gatewayOptions.current(), clock),
              state,
              gatewayState,
              claims.get());
      Translation t = both.ingress();
      sliceRefusals.translated(t);
      secretsAsked = state.secretsAsked();
      configMapsAsked = state.configMapsAsked();
      long translated = System.nanoTime();
      boolean failed = false;
      long[] sinkNanos = new long[sinks.size()];
      for (int i = 0; i < sinks.size(); i++) {
        TranslationSink sink = sinks.get(i);
        long sinkStart = System.nanoTime();
        try {
          sink.publish(both, state, gatewayState);
          sinkNanos[i] = System.nanoTime() - sinkStart;
        } catch (Exception e) {
          failed = true;
          LOG.atWarn()
              .setMessage("kubernetes sink failed; retrying")
              .addKeyValue("sink", sink.getClass().getSimpleName())
              .addKeyValue("error", String.valueOf(e.getMessage()))
              .log();
        }
      }
      if (failed) {
        loop.schedule(this::schedule, RETRY.toMillis(), TimeUnit.MILLISECONDS);
      }
      if (LOG.isDebugEnabled()) {
        // one line per rebuild, for operators tracing propagation: where the time went
        LOG.atDebug()
            .setMessage("kubernetes rebuild")
            .addKeyValue("routes", t.routes().size())
            .addKeyValue("gatewayRoutes", both.gateway().routes().size())
            .addKeyValue("debounceMs", millis(waited))
            .addKeyValue("listMs", millis(listed - started))
            .addKeyValue("translateMs", millis(translated - listed))
            .addKeyValue("sinksMs", millis(sum(sinkNanos)))
            .addKeyValue("totalMs", millis(System.nanoTime() - started))
            .log();
      }
      rebuilds++;
      firstPublish.complete(null);
    } catch (Exception | Error e) {
      // keep the last state; the next event (or resync) tries again
      LOG.atError().setMessage("kubernetes rebuild failed").setCause(e).log();
    }
  }

  static String millis(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
  }

  private static long sum(long[] values) {
    long total = 0;
    for (long v : values) {
      total += v;
    }
    return total;
  }

  private static <T extends KubernetesObject> List<T> list(List<SharedIndexInformer<T>> informers) {
    List<T> out = new ArrayList<>();
    for (SharedIndexInformer<T> i : informers) {
      out.addAll(i.getIndexer().list());
    }
    return out;
  }

  @Override
  public void close() {
    closed = true;
    for (SharedInformerFactory f : factories) {
      f.stopAllRegisteredInformers();
    }
    if (gateways != null) {
      gateways.stop();
    }
    loop.shutdownNow();
    firstPublish.completeExceptionally(new IllegalStateException("watcher closed"));
  }

  /**
   * List and watch with selectors, in one namespace or all of them (also {@link PublishedService}).
   */
  record Lister<T extends KubernetesObject, L extends KubernetesListObject>(
      GenericKubernetesApi<T, L> api,
      @Nullable String namespace,
      String labelSelector,
      String fieldSelector)
      implements ListerWatcher<T, L> {
    private ListOptions options(CallGeneratorParams p) {
      ListOptions o = new ListOptions();
      o.setResourceVersion(p.resourceVersion);
      o.setTimeoutSeconds(p.timeoutSeconds);
      if (!labelSelector.isEmpty()) {
        o.setLabelSelector(labelSelector);
      }
      if (!fieldSelector.isEmpty()) {
        o.setFieldSelector(fieldSelector);
      }
      return o;
    }

    private boolean allNamespaces() {
      return namespace == null || namespace.isEmpty();
    }

    @Override
    public L list(CallGeneratorParams p) throws ApiException {
      KubernetesApiResponse<L> r =
          allNamespaces() ? api.list(options(p)) : api.list(namespace, options(p));
      if (!r.isSuccess()) {
        // the Status message names the verb, resource and user ("cannot list resource ...")
        String message = r.getStatus() == null ? null : r.getStatus().getMessage();
        String text = message == null ? "HTTP " + r.getHttpStatusCode() : message;
        throw new ApiException(text, r.getHttpStatusCode(), null, text);
      }
      return r.getObject();
    }

    @Override
    public Watchable<T> watch(CallGeneratorParams p) throws ApiException {
      return allNamespaces() ? api.watch(options(p)) : api.watch(namespace, options(p));
    }
  }
}
