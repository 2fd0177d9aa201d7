package io.gatehouse.k8s.translate;

import java.util.List;
import java.util.Map;

/**
 * The annotations of how a backend is reached over TLS ({@code backend-protocol: HTTPS|GRPCS},
 * {@code proxy-ssl-*}), of {@code service-upstream} and of the listener's TLS ({@code
 * ssl-passthrough}, {@code ssl-ciphers}): issue #16.
 */
final class UpstreamTlsAnnotations {
  private UpstreamTlsAnnotations() {}

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
