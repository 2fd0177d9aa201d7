package io.gatehouse.k8s.migrate;

import io.gatehouse.k8s.migrate.MigrationReport.AnnotationEntry;
import io.gatehouse.k8s.migrate.MigrationReport.ConfigMapEntry;
import io.gatehouse.k8s.migrate.MigrationReport.IngressEntry;
import io.gatehouse.k8s.migrate.MigrationReport.KeyEntry;
import io.gatehouse.k8s.migrate.MigrationReport.Problem;
import io.gatehouse.k8s.migrate.MigrationReport.Skipped;
import io.gatehouse.k8s.migrate.MigrationReport.Status;
import io.gatehouse.k8s.migrate.MigrationReport.Summary;
import io.gatehouse.k8s.migrate.MigrationReport.Verdict;
import io.gatehouse.k8s.translate.ClusterState;
import io.gatehouse.k8s.translate.IngressAnnotations;
import io.gatehouse.k8s.translate.IngressProblem;
import io.gatehouse.k8s.translate.IngressRef;
import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.k8s.translate.NginxAnnotation;
import io.gatehouse.k8s.translate.NginxCatalogue;
import io.gatehouse.k8s.translate.Translation;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressClass;
import io.kubernetes.client.openapi.models.V1IngressClassSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Makes the report: runs the controller's own pure translator on the Ingresses ingress-nginx would
 * serve, as if they were of Gatehouse's class, and reads each annotation's outcome from {@link
 * NginxCatalogue} and the problems the translator reports about it. Pure: the same input and clock
 * give the same report.
 */
public final class Migrator {
  /** ingress-nginx's IngressClass controller name. */
  public static final String NGINX_CONTROLLER = "k8s.io/ingress-nginx";

  /** ingress-nginx's default class name. */
  public static final String NGINX_CLASS = "nginx";

  /** The class the Ingresses are given for the translation, so that the translator takes them. */
  private static final String MIGRATE_CLASS = "gatehouse-migrate";

  /** Problems about objects the input does not hold when it holds none of their kind. */
  private static final Set<String> SERVICE_REASONS =
      Set.of("ServiceNotFound", "ServicePortNotFound");

  /**
   * Fragments of the translator's "is ignored" messages for keys ingress-nginx ignores as well (its
   * docs: a canary takes the primary's settings; canary and CORS keys need their switch).
   */
  private static final List<String> IGNORED_BY_NGINX_TOO =
      List.of("on a canary Ingress", "(canary is not \"true\"", "(enable-cors is not \"true\")");

  /**
   * The keys ingress-nginx still reads on a canary Ingress (its docs, "Canary": load-balance,
   * upstream-hash-by and the session affinity annotations).
   */
  private static final Predicate<String> CANARY_OWN =
      n ->
          n.equals("load-balance")
              || n.startsWith("upstream-hash-by")
              || n.startsWith("affinity")
              || n.startsWith("session-cookie-");

  private final Clock clock;

  public Migrator(Clock clock) {
    this.clock = clock;
  }

  /**
   * @param classes the Ingress classes reported; empty means ingress-nginx's: {@value #NGINX_CLASS}
   *     and every IngressClass of controller {@value #NGINX_CONTROLLER}. Ingresses without a class
   *     are always reported.
   */
  public MigrationReport report(MigrationInput input, List<String> classes) {
    ClusterState cluster = input.cluster();
    Set<String> wanted = new TreeSet<>(classes);
    if (wanted.isEmpty()) {
      wanted.add(NGINX_CLASS);
      for (V1IngressClass c : cluster.ingressClasses()) {
        if (c.getSpec() != null
            && NGINX_CONTROLLER.equals(c.getSpec().getController())
            && c.getMetadata() != null) {
          wanted.add(c.getMetadata().getName());
        }
      }
    }
    List<V1Ingress> taken = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    Map<IngressRef, V1Ingress> originals = new TreeMap<>();
    for (V1Ingress i : cluster.ingresses()) {
      String cls = classOf(i);
      IngressRef ref = ref(i);
      if (!cls.isEmpty() && !wanted.contains(cls)) {
        skipped.add(new Skipped(ref.namespace(), ref.name(), cls));
        continue;
      }
      originals.put(ref, i);
      taken.add(asOurs(i));
    }
    skipped.sort(Comparator.comparing(Skipped::namespace).thenComparing(Skipped::name));
    // the controller ConfigMap's keys are the defaults of every Ingress, as the controller reads it
    V1ConfigMap controller = input.controllerConfigMap();
    String controllerName =
        controller == null || controller.getMetadata() == null
            ? ""
            : controller.getMetadata().getNamespace() + "/" + controller.getMetadata().getName();
    Translation t =
        new IngressTranslator(
                MIGRATE_CLASS,
                clock,
                IngressTranslator.upstreamPolicy(List.of(), false),
                controllerName)
            .translate(new Retargeted(cluster, taken, controller), Map.of());
    Map<IngressRef, List<IngressProblem>> problems = new HashMap<>();
    for (IngressProblem p : t.problems()) {
      problems.computeIfAbsent(p.ingress(), k -> new ArrayList<>()).add(p);
    }
    List<IngressEntry> entries = new ArrayList<>();
    for (Map.Entry<IngressRef, V1Ingress> e : originals.entrySet()) {
      IngressRef ref = e.getKey();
      entries.add(
          entry(
              ref,
              e.getValue(),
              input.origins().get(ref),
              served(ref, e.getValue(), t),
              problems.getOrDefault(ref, List.of()),
              input));
    }
    ConfigMapEntry configMap = configMap(input.controllerConfigMap());
    List<String> notes = new ArrayList<>(input.notes());
    if (entries.isEmpty()) {
      notes.add(
          "no Ingress of the reported classes was found ("
              + String.join(", ", wanted)
              + ", or none): nothing to compare");
    }
    if (!input.servicesGiven()) {
      notes.add(
          "no Service was given: backends are not checked (missing Services and ports are not"
              + " reported)");
    }
    if (!input.secretsGiven()) {
      notes.add(
          "no Secret was given: TLS Secrets are not checked; an Ingress whose access control"
              + " names a Secret is reported not served, as Gatehouse refuses it without one (add"
              + " the Secrets, whose data is never printed, or read the cluster)");
    }
    return new MigrationReport(
        input.source(), notes, entries, skipped, configMap, summary(entries, skipped, configMap));
  }

  /**
   * Whether the Ingress is served at all: owned (not refused) and either a canary joined to its
   * primary or the origin of at least one route (an Ingress whose every path lost a host or path
   * conflict, or was invalid, serves nothing).
   */
  private static boolean served(IngressRef ref, V1Ingress ingress, Translation t) {
    if (!t.owned().contains(ref)) {
      return false;
    }
    Map<String, String> a = ingress.getMetadata().getAnnotations();
    boolean canary = a != null && "true".equalsIgnoreCase(String.valueOf(a.get(CANARY)).trim());
    return canary || t.origins().containsValue(ref);
  }

  private static final String CANARY = IngressAnnotations.NGINX + "canary";

  private static IngressEntry entry(
      IngressRef ref,
      V1Ingress ingress,
      @Nullable String origin,
      boolean served,
      List<IngressProblem> problems,
      MigrationInput input) {
    List<IngressProblem> left = new ArrayList<>(problems);
    Map<String, String> annotations =
        ingress.getMetadata().getAnnotations() == null
            ? Map.of()
            : new TreeMap<>(ingress.getMetadata().getAnnotations());
    List<AnnotationEntry> rows = new ArrayList<>();
    Verdict verdict = Verdict.SAME;
    for (String key : annotations.keySet()) {
      if (!key.startsWith(IngressAnnotations.NGINX)) {
        continue;
      }
      List<String> about = new ArrayList<>();
      left.removeIf(
          p -> {
            if (p.message().startsWith(key + ":")) {
              about.add(p.message());
              return true;
            }
            return false;
          });
      AnnotationEntry row =
          annotation(key.substring(IngressAnnotations.NGINX.length()), about, served);
      rows.add(row);
      verdict = verdict.worst(row.status().verdict());
    }
    List<Problem> rest = new ArrayList<>();
    for (IngressProblem p : left) {
      if (!input.servicesGiven() && SERVICE_REASONS.contains(p.reason())) {
        continue;
      }
      if (!input.secretsGiven()
          && p.reason().equals("SecretNotFound")
          && p.message().startsWith("tls[")) {
        continue;
      }
      rest.add(new Problem(p.reason(), p.message()));
      verdict = verdict.worst(Verdict.DIFFERENT);
    }
    if (!served) {
      verdict = Verdict.NOT_SERVED;
    }
    return new IngressEntry(ref.namespace(), ref.name(), origin, served, verdict, rows, rest);
  }

  /** One annotation's row: the catalogue's outcome, corrected by what the translator said. */
  static AnnotationEntry annotation(String name, List<String> about, boolean served) {
    NginxAnnotation entry = NginxCatalogue.find(name);
    if (entry == null) {
      // the translator's generic check: these refuse the Ingress, the rest are ignored
      boolean snippet = name.endsWith("-snippet") || name.equals("snippet");
      boolean refusing = snippet || name.startsWith("auth-") || name.endsWith("-source-range");
      String group = NginxDocumented.group(name);
      String note;
      if (snippet) {
        note = "snippets are never interpreted";
      } else if (refusing) {
        note =
            "an access control annotation Gatehouse does not serve: refused rather than served open";
      } else if (group != null) {
        note = "ingress-nginx serves it; Gatehouse does not, and ignores it";
      } else {
        note =
            "ingress-nginx documents no such annotation either (a misspelling, or one it"
                + " dropped): it had no effect there and has none here";
      }
      return new AnnotationEntry(
          name,
          group == null ? "" : group,
          refusing ? Status.REFUSED : Status.IGNORED,
          "",
          note,
          about);
    }
    Status status =
        switch (entry.outcome()) {
          case SAME -> Status.SAME;
          case DIFFERENT -> Status.DIFFERENT;
          case REFUSED -> Status.REFUSED;
        };
    String note = entry.note();
    if (status != Status.REFUSED) {
      for (String m : about) {
        if (m.contains("is ignored")) {
          if (m.contains("on a canary Ingress") && CANARY_OWN.test(name)) {
            status = Status.IGNORED;
            note = "ingress-nginx applies it on a canary Ingress; Gatehouse takes the primary's";
          } else if (IGNORED_BY_NGINX_TOO.stream().anyMatch(m::contains)) {
            note = "ignored here, as ingress-nginx ignores it";
          } else {
            status = Status.IGNORED;
            note = "its value is ignored";
          }
        } else if (!served && m.contains("not served")) {
          status = Status.REFUSED;
          note = "the Ingress is not served because of its value";
        } else if (status == Status.SAME) {
          status = Status.DIFFERENT;
          note = "its value met a problem (below)";
        }
      }
    }
    return new AnnotationEntry(name, entry.family(), status, entry.effect().name(), note, about);
  }

  private static @Nullable ConfigMapEntry configMap(@Nullable V1ConfigMap cm) {
    if (cm == null) {
      return null;
    }
    List<KeyEntry> keys = new ArrayList<>();
    if (cm.getData() != null) {
      for (String key : new TreeMap<>(cm.getData()).keySet()) {
        keys.add(ConfigMapKeys.of(key));
      }
    }
    V1ObjectMeta m = cm.getMetadata();
    return new ConfigMapEntry(
        m == null || m.getNamespace() == null ? "" : m.getNamespace(),
        m == null || m.getName() == null ? "" : m.getName(),
        keys);
  }

  private static Summary summary(
      List<IngressEntry> entries, List<Skipped> skipped, @Nullable ConfigMapEntry configMap) {
    int served = 0;
    int same = 0;
    int different = 0;
    int partial = 0;
    int notServed = 0;
    Verdict worst = Verdict.SAME;
    Map<String, Integer> annotations = counts();
    for (IngressEntry e : entries) {
      served += e.served() ? 1 : 0;
      switch (e.verdict()) {
        case SAME -> same++;
        case DIFFERENT -> different++;
        case PARTIAL -> partial++;
        case NOT_SERVED -> notServed++;
      }
      worst = worst.worst(e.verdict());
      for (AnnotationEntry a : e.annotations()) {
        annotations.merge(a.status().label(), 1, Integer::sum);
      }
    }
    Map<String, Integer> keys = counts();
    if (configMap != null) {
      for (KeyEntry k : configMap.keys()) {
        keys.merge(k.status().label(), 1, Integer::sum);
        worst = worst.worst(k.status().verdict());
      }
    }
    return new Summary(
        entries.size(),
        served,
        same,
        different,
        partial,
        notServed,
        skipped.size(),
        annotations,
        keys,
        worst.exitCode());
  }

  private static Map<String, Integer> counts() {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (Status s : Status.values()) {
      m.put(s.label(), 0);
    }
    return m;
  }

  /** The class an Ingress names: {@code ingressClassName}, else the legacy annotation, else "". */
  static String classOf(V1Ingress i) {
    if (i.getSpec() != null && i.getSpec().getIngressClassName() != null) {
      return i.getSpec().getIngressClassName();
    }
    Map<String, String> a = i.getMetadata() == null ? null : i.getMetadata().getAnnotations();
    String legacy = a == null ? null : a.get(IngressTranslator.LEGACY_CLASS_ANNOTATION);
    return legacy == null ? "" : legacy;
  }

  private static IngressRef ref(V1Ingress i) {
    V1ObjectMeta m = i.getMetadata();
    return new IngressRef(
        m == null || m.getNamespace() == null ? "" : m.getNamespace(),
        m == null || m.getName() == null ? "" : m.getName());
  }

  private static final JSON JSON = new JSON();

  /** A copy of {@code i} of the class the translator is told is its own. */
  private static V1Ingress asOurs(V1Ingress i) {
    V1Ingress copy = JSON.deserialize(JSON.serialize(i), V1Ingress.class);
    if (copy.getSpec() != null) {
      copy.getSpec().setIngressClassName(MIGRATE_CLASS);
    }
    Map<String, String> a = copy.getMetadata().getAnnotations();
    if (a != null) {
      a = new LinkedHashMap<>(a);
      a.remove(IngressTranslator.LEGACY_CLASS_ANNOTATION);
      copy.getMetadata().setAnnotations(a);
    }
    return copy;
  }

  /** The cluster as the translator should see it: the taken Ingresses, of Gatehouse's class. */
  private record Retargeted(
      ClusterState cluster, List<V1Ingress> ingresses, @Nullable V1ConfigMap controller)
      implements ClusterState {
    @Override
    public List<V1IngressClass> ingressClasses() {
      return List.of(
          new V1IngressClass()
              .metadata(new V1ObjectMeta().name(MIGRATE_CLASS))
              .spec(new V1IngressClassSpec().controller(IngressTranslator.CONTROLLER)));
    }

    @Override
    public Optional<V1Service> service(String namespace, String name) {
      return cluster.service(namespace, name);
    }

    @Override
    public List<V1EndpointSlice> endpointSlices(String namespace, String service) {
      return cluster.endpointSlices(namespace, service);
    }

    @Override
    public Optional<V1Secret> secret(String namespace, String name) {
      return cluster.secret(namespace, name);
    }

    @Override
    public Optional<V1ConfigMap> configMap(String namespace, String name) {
      if (controller != null
          && controller.getMetadata() != null
          && namespace.equals(controller.getMetadata().getNamespace())
          && name.equals(controller.getMetadata().getName())) {
        return Optional.of(controller);
      }
      return cluster.configMap(namespace, name);
    }
  }
}
