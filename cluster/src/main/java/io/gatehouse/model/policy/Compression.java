package io.gatehouse.model.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Compresses a proxied response on the way to the client when the client accepts one of {@code
 * algorithms} (content codings in Gatehouse's order of preference: {@code gzip}, {@code br}, {@code
 * zstd}), its {@code Content-Type} is one of {@code contentTypes} ({@code type/subtype} or {@code
 * type/*}) and it is at least {@code minBytes} long (a streamed response of unknown length counts
 * as long enough). {@code levels} gives an algorithm's level (gzip 1-9, br 0-11, zstd 1-9); an
 * algorithm it leaves out runs at its {@link #defaultLevel}.
 */
public record Compression(
    List<String> algorithms, List<String> contentTypes, long minBytes, Map<String, Integer> levels)
    implements PolicySpec {
  public static final String GZIP = "gzip";
  public static final String BROTLI = "br";
  public static final String ZSTD = "zstd";

  /**
   * What a policy that names no algorithm offers: brotli first, as it compresses text best. zstd is
   * not among them: it is asked for by naming it. Every browser that sends {@code zstd} sends
   * {@code br} too, at the same weight, so the order would give it brotli anyway; putting zstd
   * first would change what every default route serves on an upgrade.
   */
  public static final List<String> DEFAULT_ALGORITHMS = List.of(BROTLI, GZIP);

  /** Text formats a browser or an API client commonly fetches; images and archives are packed. */
  public static final List<String> DEFAULT_CONTENT_TYPES =
      List.of(
          "text/html",
          "text/plain",
          "text/css",
          "text/javascript",
          "text/xml",
          "application/javascript",
          "application/json",
          "application/problem+json",
          "application/xml",
          "image/svg+xml");

  /** Below this a compressed body saves less than its framing costs (Traefik's default too). */
  public static final long DEFAULT_MIN_BYTES = 1024;

  public Compression {
    algorithms = algorithms == null ? List.of() : List.copyOf(algorithms);
    contentTypes = contentTypes == null ? List.of() : List.copyOf(contentTypes);
    if (levels == null || levels.isEmpty()) {
      levels = Map.of();
    } else {
      LinkedHashMap<String, Integer> copy = new LinkedHashMap<>();
      levels.forEach(
          (k, v) -> copy.put(Objects.requireNonNull(k, "algorithm"), Objects.requireNonNull(v, k)));
      levels = Collections.unmodifiableMap(copy);
    }
  }

  /** The policy with every default: {@code Compression} given no field. */
  public static Compression defaults() {
    return new Compression(DEFAULT_ALGORITHMS, DEFAULT_CONTENT_TYPES, DEFAULT_MIN_BYTES, Map.of());
  }

  /**
   * gzip 6 (zlib's own default), br 4 (ngx_brotli's and ingress-nginx's {@code brotli-level}), zstd
   * 3 (the zstd library's own default).
   */
  public static int defaultLevel(String algorithm) {
    return switch (algorithm) {
      case BROTLI -> 4;
      case ZSTD -> 3;
      default -> 6;
    };
  }

  /** The level {@code algorithm} runs at. */
  public int level(String algorithm) {
    Integer l = levels.get(algorithm);
    return l != null ? l : defaultLevel(algorithm);
  }
}
