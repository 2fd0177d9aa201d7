package io.gatehouse.k8s.translate;

import java.util.List;
import java.util.Map;

/**
 * The annotations of what the proxy does to a request and its answer on the way ({@code
 * custom-headers}, {@code proxy-cookie-*}, {@code proxy-redirect-*}, {@code proxy-buffering}...),
 * of logs and tracing, and the ones Gatehouse never serves (snippets, ModSecurity, FastCGI): issue
 * #16.
 */
final class ProxyAnnotations {
  private ProxyAnnotations() {}

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
