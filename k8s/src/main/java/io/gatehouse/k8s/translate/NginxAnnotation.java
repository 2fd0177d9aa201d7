package io.gatehouse.k8s.translate;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One {@code nginx.ingress.kubernetes.io/} annotation as Gatehouse serves it: one row of the
 * migration table in {@code docs/ingress-nginx.md}, which is generated from {@link NginxCatalogue}
 * so the table and the translator cannot drift.
 *
 * @param name the annotation without its prefix ({@code rewrite-target})
 * @param family ingress-nginx's group for it (its "Annotations Scope and Risk" page: {@code
 *     Rewrite}, {@code CorsConfig}...), so each family can be tested and read together
 * @param outcome what an Ingress carrying it gets
 * @param effect whether it changes who may reach what, or where requests go: such an annotation is
 *     never ignored (the fail-open audit test holds every one to it)
 * @param note for {@link Outcome#DIFFERENT}, the difference; for {@link Outcome#REFUSED}, the
 *     reason; for {@link Outcome#SAME}, empty or a detail worth knowing (value ranges)
 * @param sample annotations (names without the prefix, the entry's own among them) with which the
 *     entry has its documented effect: the audit translates them with and without the entry's own
 */
public record NginxAnnotation(
    String name,
    String family,
    Outcome outcome,
    Effect effect,
    String note,
    Map<String, String> sample) {

  /** The three outcomes of the migration table. */
  public enum Outcome {
    /** Served as ingress-nginx documents it. */
    SAME("mapped"),
    /** Served, with a difference the note documents. */
    DIFFERENT("mapped, with a difference"),
    /** The Ingress carrying it is not served (a Warning event says why). */
    REFUSED("refused");

    private final String label;

    Outcome(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** What the annotation changes. */
  public enum Effect {
    /** Who may reach what: authentication, addresses, limits, TLS, CORS. */
    SECURITY,
    /** Where requests go and what the backend receives: paths, hosts, backends, redirects. */
    ROUTING,
    /** Neither: timeouts, buffers, logs. */
    OTHER
  }

  public NginxAnnotation {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(effect, "effect");
    Objects.requireNonNull(note, "note");
    sample = Map.copyOf(new TreeMap<>(sample));
    if (outcome != Outcome.SAME && note.isBlank()) {
      throw new IllegalArgumentException(name + ": a " + outcome + " entry needs its note");
    }
    if (!sample.containsKey(name)) {
      throw new IllegalArgumentException(name + ": the sample must carry the annotation");
    }
  }

  /** The full annotation key. */
  public String key() {
    return IngressAnnotations.NGINX + name;
  }

  /** Served as ingress-nginx documents it; the sample is {@code name: value}. */
  static NginxAnnotation same(String name, String family, Effect effect, String value) {
    return new NginxAnnotation(name, family, Outcome.SAME, effect, "", Map.of(name, value));
  }

  /** Served as ingress-nginx documents it, with companions in the sample. */
  static NginxAnnotation same(
      String name, String family, Effect effect, String note, Map<String, String> sample) {
    return new NginxAnnotation(name, family, Outcome.SAME, effect, note, sample);
  }

  /** Served with the difference {@code note}. */
  static NginxAnnotation different(
      String name, String family, Effect effect, String note, String value) {
    return new NginxAnnotation(name, family, Outcome.DIFFERENT, effect, note, Map.of(name, value));
  }

  /** Served with the difference {@code note}, with companions in the sample. */
  static NginxAnnotation different(
      String name, String family, Effect effect, String note, Map<String, String> sample) {
    return new NginxAnnotation(name, family, Outcome.DIFFERENT, effect, note, sample);
  }

  /** Never served: an Ingress carrying it is refused for {@code reason}. */
  static NginxAnnotation refused(
      String name, String family, Effect effect, String reason, String value) {
    return new NginxAnnotation(name, family, Outcome.REFUSED, effect, reason, Map.of(name, value));
  }
}
