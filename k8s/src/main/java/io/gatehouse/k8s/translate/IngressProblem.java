package io.gatehouse.k8s.translate;

import java.util.Objects;

/**
 * Something wrong with one Ingress, reported to its owner as a Warning event. The rest of the
 * Ingress (and every other Ingress) is still served unless the message says otherwise.
 *
 * @param reason an UpperCamelCase event reason, e.g. {@code ServiceNotFound}
 * @param message names the field, the value and the rule, e.g. {@code rules[0].http.paths[1]...}
 */
public record IngressProblem(IngressRef ingress, String reason, String message) {
  public IngressProblem {
    Objects.requireNonNull(ingress, "ingress");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }
}
