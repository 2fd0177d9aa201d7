package io.gatehouse.k8s.translate.gateway;

import java.util.Objects;

/**
 * A status condition as the Gateway API defines it, without {@code lastTransitionTime}: the status
 * writer keeps the time of an unchanged condition and stamps a changed one.
 *
 * @param type e.g. {@code Accepted}, {@code ResolvedRefs}, {@code Programmed}
 * @param status {@code True}, {@code False} or {@code Unknown}
 * @param reason the spec's UpperCamelCase reason, e.g. {@code NotAllowedByListeners}
 * @param message for people: names the field and the rule
 * @param observedGeneration the {@code metadata.generation} of the object the condition was
 *     computed from
 */
public record GatewayCondition(
    String type, String status, String reason, String message, long observedGeneration) {
  public static final String ACCEPTED = "Accepted";
  public static final String PROGRAMMED = "Programmed";
  public static final String RESOLVED_REFS = "ResolvedRefs";
  public static final String CONFLICTED = "Conflicted";
  public static final String SUPPORTED_VERSION = "SupportedVersion";

  public GatewayCondition {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  public static GatewayCondition yes(String type, String reason, String message, long generation) {
    return new GatewayCondition(type, "True", reason, message, generation);
  }

  public static GatewayCondition no(String type, String reason, String message, long generation) {
    return new GatewayCondition(type, "False", reason, message, generation);
  }
}
