package io.gatehouse.k8s.translate;

import java.util.List;
import java.util.Map;

/**
 * The annotations of the Ingress's host names and of the redirects between them ({@code
 * server-alias}, {@code force-ssl-redirect}, {@code use-port-in-redirects}, {@code
 * preserve-trailing-slash}...): issue #16.
 */
final class HostAnnotations {
  private HostAnnotations() {}

  /** What these annotations ask for; {@link #NONE} when none is set. */
  record Result() {
    static final Result NONE = new Result();
  }

  /** The catalogue entries of the annotations read here ({@link NginxCatalogue}). */
  static final List<NginxAnnotation> CATALOGUE = List.of();

  /**
   * Parses {@code all} (every annotation of the Ingress, full keys); problems go to {@code sink}.
   */
  static Result parse(
      IngressRef ingress, Map<String, String> all, ResilienceAnnotations.Sink sink) {
    return Result.NONE;
  }
}
