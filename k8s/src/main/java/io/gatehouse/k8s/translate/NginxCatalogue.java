package io.gatehouse.k8s.translate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Every {@code nginx.ingress.kubernetes.io/} annotation Gatehouse knows, with its outcome: the one
 * list the translator's generic check, the migration report and the docs table read. Each family's
 * entries live beside the parser that serves them.
 *
 * <p>An annotation that is not listed is not one of ingress-nginx's documented annotations (or a
 * newer one): it is ignored with a warning, except an {@code auth-*} or {@code *-source-range} key
 * and every {@code *-snippet}, which refuse the Ingress.
 */
public final class NginxCatalogue {
  private NginxCatalogue() {}

  /** Every entry, ordered by family then name. */
  public static final List<NginxAnnotation> ALL;

  private static final Map<String, NginxAnnotation> BY_NAME;

  static {
    List<NginxAnnotation> all = new ArrayList<>();
    // one slot per family parser
    all.addAll(IngressAnnotations.CATALOGUE);
    all.addAll(ResilienceAnnotations.CATALOGUE);
    all.addAll(AccessAnnotations.CATALOGUE);
    all.addAll(UpstreamTlsAnnotations.CATALOGUE);
    all.addAll(HostAnnotations.CATALOGUE);
    all.addAll(ProxyAnnotations.CATALOGUE);
    all.sort(Comparator.comparing(NginxAnnotation::family).thenComparing(NginxAnnotation::name));
    Map<String, NginxAnnotation> byName = new LinkedHashMap<>();
    for (NginxAnnotation a : all) {
      if (byName.put(a.name(), a) != null) {
        throw new IllegalStateException("listed twice: " + a.name());
      }
    }
    ALL = List.copyOf(all);
    BY_NAME = Map.copyOf(byName);
  }

  /** The entry of {@code name} (without the prefix), or null when Gatehouse does not know it. */
  public static @Nullable NginxAnnotation find(String name) {
    return BY_NAME.get(name);
  }

  /** The entries of an outcome. */
  public static List<NginxAnnotation> with(NginxAnnotation.Outcome outcome) {
    return ALL.stream().filter(a -> a.outcome() == outcome).toList();
  }
}
