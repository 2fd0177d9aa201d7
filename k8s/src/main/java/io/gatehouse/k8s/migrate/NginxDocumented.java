package io.gatehouse.k8s.migrate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The annotations ingress-nginx documents, by its group, from its "Annotations Scope and Risk" page
 * ({@code docs/user-guide/nginx-configuration/annotations-risk.md}, generated from its parsers),
 * plus the deprecated spellings its parsers still read. The report uses it only for keys
 * Gatehouse's catalogue does not hold, to tell "ingress-nginx serves it, Gatehouse does not" from
 * "ingress-nginx ignores it too" (a misspelling, or an annotation it dropped).
 */
final class NginxDocumented {
  private NginxDocumented() {}

  private static final Map<String, List<String>> BY_GROUP =
      Map.ofEntries(
          Map.entry("Aliases", List.of("server-alias")),
          Map.entry("Allowlist", List.of("allowlist-source-range")),
          Map.entry("BackendProtocol", List.of("backend-protocol")),
          Map.entry(
              "BasicDigestAuth",
              List.of("auth-realm", "auth-secret", "auth-secret-type", "auth-type")),
          Map.entry(
              "Canary",
              List.of(
                  "canary",
                  "canary-by-cookie",
                  "canary-by-header",
                  "canary-by-header-pattern",
                  "canary-by-header-value",
                  "canary-weight",
                  "canary-weight-total")),
          Map.entry(
              "CertificateAuth",
              List.of(
                  "auth-tls-error-page",
                  "auth-tls-match-cn",
                  "auth-tls-pass-certificate-to-upstream",
                  "auth-tls-secret",
                  "auth-tls-verify-client",
                  "auth-tls-verify-depth")),
          Map.entry("ClientBodyBufferSize", List.of("client-body-buffer-size")),
          Map.entry("ConfigurationSnippet", List.of("configuration-snippet")),
          Map.entry("Connection", List.of("connection-proxy-header")),
          Map.entry(
              "CorsConfig",
              List.of(
                  "cors-allow-credentials",
                  "cors-allow-headers",
                  "cors-allow-methods",
                  "cors-allow-origin",
                  "cors-expose-headers",
                  "cors-max-age",
                  "enable-cors")),
          Map.entry("CustomHTTPErrors", List.of("custom-http-errors")),
          Map.entry("CustomHeaders", List.of("custom-headers")),
          Map.entry("DefaultBackend", List.of("default-backend")),
          Map.entry("Denylist", List.of("denylist-source-range")),
          Map.entry("DisableProxyInterceptErrors", List.of("disable-proxy-intercept-errors")),
          Map.entry("EnableGlobalAuth", List.of("enable-global-auth")),
          Map.entry(
              "ExternalAuth",
              List.of(
                  "auth-always-set-cookie",
                  "auth-cache-duration",
                  "auth-cache-key",
                  "auth-keepalive",
                  "auth-keepalive-requests",
                  "auth-keepalive-share-vars",
                  "auth-keepalive-timeout",
                  "auth-method",
                  "auth-proxy-set-headers",
                  "auth-request-redirect",
                  "auth-response-headers",
                  "auth-signin",
                  "auth-signin-redirect-param",
                  "auth-snippet",
                  "auth-url")),
          Map.entry("FastCGI", List.of("fastcgi-index", "fastcgi-params-configmap")),
          Map.entry("HTTP2PushPreload", List.of("http2-push-preload")),
          Map.entry("LoadBalancing", List.of("load-balance")),
          Map.entry("Logs", List.of("enable-access-log", "enable-rewrite-log")),
          Map.entry("Mirror", List.of("mirror-host", "mirror-request-body", "mirror-target")),
          Map.entry(
              "ModSecurity",
              List.of(
                  "enable-modsecurity",
                  "enable-owasp-core-rules",
                  "modsecurity-snippet",
                  "modsecurity-transaction-id")),
          Map.entry(
              "Opentelemetry",
              List.of(
                  "enable-opentelemetry",
                  "opentelemetry-operation-name",
                  "opentelemetry-trust-incoming-span")),
          Map.entry(
              "Proxy",
              List.of(
                  "proxy-body-size",
                  "proxy-buffer-size",
                  "proxy-buffering",
                  "proxy-buffers-number",
                  "proxy-connect-timeout",
                  "proxy-cookie-domain",
                  "proxy-cookie-path",
                  "proxy-http-version",
                  "proxy-max-temp-file-size",
                  "proxy-next-upstream",
                  "proxy-next-upstream-timeout",
                  "proxy-next-upstream-tries",
                  "proxy-read-timeout",
                  "proxy-redirect-from",
                  "proxy-redirect-to",
                  "proxy-request-buffering",
                  "proxy-send-timeout")),
          Map.entry(
              "ProxySSL",
              List.of(
                  "proxy-ssl-ciphers",
                  "proxy-ssl-name",
                  "proxy-ssl-protocols",
                  "proxy-ssl-secret",
                  "proxy-ssl-server-name",
                  "proxy-ssl-verify",
                  "proxy-ssl-verify-depth")),
          Map.entry(
              "RateLimit",
              List.of(
                  "limit-allowlist",
                  "limit-burst-multiplier",
                  "limit-connections",
                  "limit-rate",
                  "limit-rate-after",
                  "limit-rpm",
                  "limit-rps")),
          Map.entry(
              "Redirect",
              List.of(
                  "from-to-www-redirect",
                  "permanent-redirect",
                  "permanent-redirect-code",
                  "temporal-redirect",
                  "temporal-redirect-code")),
          Map.entry(
              "Rewrite",
              List.of(
                  "app-root",
                  "force-ssl-redirect",
                  "preserve-trailing-slash",
                  "rewrite-target",
                  "ssl-redirect",
                  "use-regex")),
          Map.entry("SSLCipher", List.of("ssl-ciphers", "ssl-prefer-server-ciphers")),
          Map.entry("SSLPassthrough", List.of("ssl-passthrough")),
          Map.entry("Satisfy", List.of("satisfy")),
          Map.entry("ServerSnippet", List.of("server-snippet")),
          Map.entry("ServiceUpstream", List.of("service-upstream")),
          Map.entry(
              "SessionAffinity",
              List.of(
                  "affinity",
                  "affinity-canary-behavior",
                  "affinity-mode",
                  "session-cookie-change-on-failure",
                  "session-cookie-conditional-samesite-none",
                  "session-cookie-domain",
                  "session-cookie-expires",
                  "session-cookie-max-age",
                  "session-cookie-name",
                  "session-cookie-partitioned",
                  "session-cookie-path",
                  "session-cookie-samesite",
                  "session-cookie-secure")),
          Map.entry("StreamSnippet", List.of("stream-snippet")),
          Map.entry(
              "UpstreamHashBy",
              List.of(
                  "upstream-hash-by", "upstream-hash-by-subset", "upstream-hash-by-subset-size")),
          Map.entry("UpstreamVhost", List.of("upstream-vhost")),
          Map.entry("UsePortInRedirects", List.of("use-port-in-redirects")),
          Map.entry("XForwardedPrefix", List.of("x-forwarded-prefix")));

  /** Deprecated names its parsers read as the group's current annotation. */
  private static final Map<String, String> ALIASES =
      Map.of("whitelist-source-range", "Allowlist", "limit-whitelist", "RateLimit");

  private static final Map<String, String> GROUP_OF = new HashMap<>(ALIASES);

  static {
    BY_GROUP.forEach((group, names) -> names.forEach(n -> GROUP_OF.put(n, group)));
  }

  /** ingress-nginx's group of {@code name} (without the prefix); null when it documents none. */
  static @Nullable String group(String name) {
    return GROUP_OF.get(name);
  }
}
