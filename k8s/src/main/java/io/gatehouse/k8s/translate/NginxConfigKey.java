package io.gatehouse.k8s.translate;

import io.gatehouse.k8s.translate.NginxAnnotation.Effect;
import io.gatehouse.k8s.translate.NginxAnnotation.Outcome;
import java.util.Locale;
import java.util.Objects;

/**
 * One key of ingress-nginx's controller ConfigMap as Gatehouse serves it: one row of the table in
 * {@code docs/ingress-nginx.md} (section "Controller ConfigMap"), generated from {@link
 * NginxConfigMapCatalogue}. The sibling of {@link NginxAnnotation}, with the same outcomes.
 *
 * @param name the ConfigMap key ({@code proxy-body-size})
 * @param outcome {@link Outcome#SAME}: applied as ingress-nginx does; {@link Outcome#DIFFERENT}:
 *     applied with a difference, or not read and Gatehouse's own behaviour differs (the note says
 *     which, and a value other than {@code inert} gets a Warning event on the ConfigMap); {@link
 *     Outcome#REFUSED}: a value other than {@code inert} cannot be honoured and fails closed (the
 *     Ingresses it covers are not served, each with a Warning event)
 * @param effect as for annotations: a SECURITY or ROUTING key is never silently dropped
 * @param scope where it applies: {@link Scope#TRANSLATION} keys change the routes on the next
 *     translation (live); {@link Scope#NODE} keys are the node's own settings, never read from the
 *     ConfigMap
 * @param inert the value that asks for nothing (ingress-nginx's default, or what Gatehouse already
 *     does): no Warning, no refusal
 * @param note the difference (DIFFERENT), the reason (REFUSED), or a detail (SAME)
 * @param sample a value with which the key has its effect (golden cases and tests use it)
 */
public record NginxConfigKey(
    String name,
    Outcome outcome,
    Effect effect,
    Scope scope,
    String inert,
    String note,
    String sample) {

  /** Where a key takes effect. */
  public enum Scope {
    /** A translator default: the next translation applies a change. */
    TRANSLATION,
    /** A setting of the node (listener, edge, logs): the node's configuration holds it. */
    NODE
  }

  public NginxConfigKey {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(effect, "effect");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(inert, "inert");
    Objects.requireNonNull(note, "note");
    Objects.requireNonNull(sample, "sample");
    if (outcome != Outcome.SAME && note.isBlank()) {
      throw new IllegalArgumentException(name + ": a " + outcome + " entry needs its note");
    }
  }

  /** Whether {@code value} asks for nothing beyond what Gatehouse does anyway. */
  public boolean inert(String value) {
    return normalise(value).equals(normalise(inert));
  }

  private static String normalise(String v) {
    return v.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
  }
}
