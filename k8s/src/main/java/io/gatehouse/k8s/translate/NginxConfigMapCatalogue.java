package io.gatehouse.k8s.translate;

import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.OTHER;
import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.ROUTING;
import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.SECURITY;
import static io.gatehouse.k8s.translate.NginxAnnotation.Outcome.DIFFERENT;
import static io.gatehouse.k8s.translate.NginxAnnotation.Outcome.REFUSED;
import static io.gatehouse.k8s.translate.NginxAnnotation.Outcome.SAME;
import static io.gatehouse.k8s.translate.NginxConfigKey.Scope.NODE;
import static io.gatehouse.k8s.translate.NginxConfigKey.Scope.TRANSLATION;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The keys of ingress-nginx's controller ConfigMap that Gatehouse knows, with their outcome: what
 * {@link ControllerConfigMap} reads and the docs table shows. Defaults are ingress-nginx's, from
 * its {@code configmap.md}. A key not listed is ignored with a Warning event on the ConfigMap (as
 * ingress-nginx ignores unknown keys), except a {@code *-snippet}, which is refused.
 */
public final class NginxConfigMapCatalogue {
  private NginxConfigMapCatalogue() {}

  /** Every entry, ordered by name. */
  public static final List<NginxConfigKey> ALL;

  private static final Map<String, NginxConfigKey> BY_NAME;

  /** The note of every snippet key, listed or not. */
  static final String SNIPPET =
      "nginx configuration text; Gatehouse never reads tenant or operator text as configuration."
          + " Every Ingress is not served while it is set (its content could be a restriction)";

  private static final String WAF =
      "Gatehouse has no WAF; every Ingress is not served while it is on, rather than served"
          + " unprotected";

  private static final String STREAMS =
      "Gatehouse streams requests and responses with back-pressure and has no temp files:"
          + " nothing to size; not read";

  private static final String GLOBAL_AUTH =
      "global external authentication is not applied yet; while it is set, every Ingress without"
          + " enable-global-auth: \"false\" is not served (a Warning event on each) rather than"
          + " served without it";

  static {
    List<NginxConfigKey> all =
        new ArrayList<>(
            List.of(
                // translator defaults: applied on the next translation
                live(
                    "proxy-body-size",
                    SAME,
                    SECURITY,
                    "1m",
                    "the request body limit of every Ingress without its own proxy-body-size"
                        + " (k, m, g; 0 = none); 413 above it",
                    "8m"),
                live(
                    "proxy-connect-timeout",
                    SAME,
                    OTHER,
                    "5",
                    "seconds; the connect timeout of every Ingress without its own",
                    "10"),
                live(
                    "proxy-read-timeout",
                    DIFFERENT,
                    OTHER,
                    "60",
                    "seconds; the response timeout of every Ingress without its own, and also the"
                        + " idle time allowed between body chunks (Gatehouse's body-idle timeout)",
                    "120"),
                live(
                    "proxy-send-timeout",
                    DIFFERENT,
                    OTHER,
                    "60",
                    "not read: Gatehouse streams the request body to the upstream and bounds pauses"
                        + " with the body-idle timeout (proxy-read-timeout)",
                    "120"),
                live(
                    "ssl-redirect",
                    SAME,
                    ROUTING,
                    "true",
                    "HTTP to HTTPS redirect (308) of the hosts with a tls section, for every Ingress"
                        + " without its own ssl-redirect",
                    "false"),
                live(
                    "force-ssl-redirect",
                    REFUSED,
                    SECURITY,
                    "false",
                    "not read from the ConfigMap yet: while it is \"true\", every Ingress without a"
                        + " tls section is not served (it would be served over plain HTTP); set"
                        + " the force-ssl-redirect annotation per Ingress",
                    "true"),
                live(
                    "http-redirect-code",
                    DIFFERENT,
                    ROUTING,
                    "308",
                    "Gatehouse's HTTP to HTTPS redirect is always 308 (ingress-nginx's default);"
                        + " another code gets a Warning event",
                    "301"),
                live(
                    "hsts",
                    SAME,
                    SECURITY,
                    "true",
                    "Strict-Transport-Security on the HTTPS responses of hosts with a tls section;"
                        + " on by default, as ingress-nginx, once the ConfigMap is configured",
                    "false"),
                live("hsts-max-age", SAME, SECURITY, "15724800", "seconds", "31536000"),
                live("hsts-include-subdomains", SAME, SECURITY, "true", "", "false"),
                live("hsts-preload", SAME, SECURITY, "false", "", "true"),
                live(
                    "whitelist-source-range",
                    SAME,
                    SECURITY,
                    "",
                    "the allowed client CIDRs (403 otherwise) of every Ingress without its own"
                        + " whitelist-source-range or allowlist-source-range",
                    "10.0.0.0/8"),
                live(
                    "denylist-source-range",
                    SAME,
                    SECURITY,
                    "",
                    "the refused client CIDRs (403) of every Ingress without its own"
                        + " denylist-source-range",
                    "192.0.2.0/24"),
                live(
                    "block-cidrs",
                    DIFFERENT,
                    SECURITY,
                    "",
                    "refused (403) on every Ingress, even one with its own source ranges:"
                        + " ingress-nginx's http-level deny is replaced by a location's own"
                        + " allow/deny, Gatehouse keeps it",
                    "198.51.100.0/24"),
                live("global-auth-url", REFUSED, SECURITY, "", GLOBAL_AUTH, "http://auth.svc/"),
                live(
                    "global-auth-method",
                    DIFFERENT,
                    SECURITY,
                    "",
                    "read only with global-auth-url, which is refused",
                    "GET"),
                live(
                    "global-auth-signin",
                    DIFFERENT,
                    SECURITY,
                    "",
                    "read only with global-auth-url, which is refused",
                    "https://login.example/"),
                live(
                    "global-auth-response-headers",
                    DIFFERENT,
                    SECURITY,
                    "",
                    "read only with global-auth-url, which is refused",
                    "X-User"),
                live(
                    "global-auth-snippet", REFUSED, SECURITY, "", SNIPPET, "proxy_set_header A b;"),
                live(
                    "custom-http-errors",
                    DIFFERENT,
                    OTHER,
                    "",
                    "not read: the node's errorPages.codes with errorPages.upstream (the default"
                        + " backend's address) do the same for the answers Gatehouse makes itself;"
                        + " for upstream errors, the custom-http-errors annotation per Ingress",
                    "404,503"),
                live(
                    "load-balance",
                    DIFFERENT,
                    OTHER,
                    "round_robin",
                    "Gatehouse balances round robin unless an Ingress says otherwise; another value"
                        + " is not read (set the load-balance annotation) and gets a Warning event",
                    "ewma"),
                live(
                    "limit-req-status-code",
                    DIFFERENT,
                    OTHER,
                    "429",
                    "Gatehouse answers a rate limit with 429, Retry-After and the RateLimit headers,"
                        + " whatever this says",
                    "503"),
                live(
                    "limit-conn-status-code",
                    DIFFERENT,
                    OTHER,
                    "429",
                    "Gatehouse answers a connection limit with 429, whatever this says",
                    "503"),
                live(
                    "use-gzip",
                    DIFFERENT,
                    OTHER,
                    "false",
                    "not applied to every Ingress: Gatehouse compresses per Ingress with"
                        + " gatehouse.io/compression (gzip, br, zstd)",
                    "true"),
                live(
                    "enable-brotli",
                    DIFFERENT,
                    OTHER,
                    "false",
                    "not applied to every Ingress: gatehouse.io/compression: \"br,gzip\" per"
                        + " Ingress",
                    "true"),
                live(
                    "gzip-level",
                    DIFFERENT,
                    OTHER,
                    "1",
                    "gatehouse.io/compression-gzip-level per Ingress (default 6)",
                    "5"),
                live(
                    "gzip-types",
                    DIFFERENT,
                    OTHER,
                    "",
                    "gatehouse.io/compression-types per Ingress",
                    "text/html application/json"),
                live(
                    "allow-snippet-annotations",
                    DIFFERENT,
                    SECURITY,
                    "false",
                    "Gatehouse refuses every *-snippet annotation whatever this says; \"true\" gets a"
                        + " Warning event",
                    "true"),
                live(
                    "annotation-value-word-blocklist",
                    DIFFERENT,
                    SECURITY,
                    "",
                    "not needed: Gatehouse never reads annotation text as configuration or code;"
                        + " not read",
                    "load_module,lua_package"),
                live(
                    "add-headers",
                    REFUSED,
                    SECURITY,
                    "",
                    "response headers for every Ingress from another ConfigMap are not applied"
                        + " yet; while it is set every Ingress is not served (they may be security"
                        + " headers); use the custom-headers annotation per Ingress",
                    "ingress-nginx/custom-headers"),
                live(
                    "proxy-set-headers",
                    REFUSED,
                    ROUTING,
                    "",
                    "request headers for every upstream from another ConfigMap are not applied"
                        + " yet; while it is set every Ingress is not served",
                    "ingress-nginx/proxy-headers"),
                live(
                    "hide-headers",
                    REFUSED,
                    SECURITY,
                    "",
                    "hiding upstream response headers is not applied yet; while it is set every"
                        + " Ingress is not served (it usually hides what the upstream discloses)",
                    "X-Powered-By"),
                live("enable-modsecurity", REFUSED, SECURITY, "false", WAF, "true"),
                live("enable-owasp-modsecurity-crs", REFUSED, SECURITY, "false", WAF, "true"),
                live("modsecurity-snippet", REFUSED, SECURITY, "", SNIPPET, "SecRuleEngine On"),
                live("http-snippet", REFUSED, SECURITY, "", SNIPPET, "map $a $b {}"),
                live("main-snippet", REFUSED, SECURITY, "", SNIPPET, "env A;"),
                live("server-snippet", REFUSED, SECURITY, "", SNIPPET, "add_header A b;"),
                live("location-snippet", REFUSED, SECURITY, "", SNIPPET, "add_header A b;"),
                live("stream-snippet", REFUSED, SECURITY, "", SNIPPET, "server {}"),
                // the listener's TLS: held to what the node serves (TLSv1.2, TLSv1.3, ECDHE AEAD)
                live(
                    "ssl-protocols",
                    DIFFERENT,
                    SECURITY,
                    "TLSv1.2 TLSv1.3",
                    "the node serves TLSv1.2 and TLSv1.3: a list with both is served (older ones are"
                        + " never offered, with a Warning event); a list without one of them"
                        + " cannot be honoured and every Ingress with a tls section is not served",
                    "TLSv1.1 TLSv1.2 TLSv1.3"),
                live(
                    "ssl-ciphers",
                    DIFFERENT,
                    SECURITY,
                    NginxCiphers.INGRESS_NGINX_DEFAULT,
                    "the node offers ECDHE with AES-GCM or ChaCha20-Poly1305 (ingress-nginx's default"
                        + " without its DHE suites): a list holding all six is served (the others"
                        + " are never offered, with a Warning event); a list without one of them"
                        + " cannot be honoured and every Ingress with a tls section is not served",
                    NginxCiphers.INGRESS_NGINX_DEFAULT + ":AES128-SHA"),
                // the node's own settings: never read from the ConfigMap
                node(
                    "use-forwarded-headers",
                    SECURITY,
                    "false",
                    "not read: X-Forwarded-* and Forwarded are trusted only from the node's"
                        + " proxy.trustedProxies (without them the peer is the client, which is"
                        + " closed, not open); list your load balancer's ranges there"),
                node(
                    "compute-full-forwarded-for",
                    SECURITY,
                    "false",
                    "not read: Gatehouse appends the peer to X-Forwarded-For from a trusted proxy"
                        + " and replaces it from anyone else"),
                node(
                    "forwarded-for-header",
                    SECURITY,
                    "X-Forwarded-For",
                    "not read: the client address comes from X-Forwarded-For or Forwarded of a"
                        + " trusted proxy, or the PROXY protocol; another header is never trusted"),
                node(
                    "proxy-real-ip-cidr",
                    SECURITY,
                    "0.0.0.0/0",
                    "not read: set the node's proxy.trustedProxies (Gatehouse trusts no proxy by"
                        + " default, where ingress-nginx trusts every address)"),
                node(
                    "enable-real-ip",
                    SECURITY,
                    "false",
                    "not read: the client address rules of proxy.trustedProxies apply"),
                node(
                    "use-proxy-protocol",
                    SECURITY,
                    "false",
                    "not read: set the node's proxy.proxyProtocol for the listeners behind a load"
                        + " balancer that sends it"),
                node(
                    "server-tokens",
                    OTHER,
                    "false",
                    "not read: the node's proxy.serverHeader is the Server header of every response"
                        + " (empty: none)"),
                node(
                    "allow-backend-server-header",
                    OTHER,
                    "false",
                    "not read: the node's proxy.passUpstreamServerHeader"),
                node(
                    "enable-underscores-in-headers",
                    SECURITY,
                    "false",
                    "not read: Gatehouse refuses a request with an underscore in a header name"
                        + " (400) where ingress-nginx drops the header"),
                node(
                    "ignore-invalid-headers",
                    SECURITY,
                    "true",
                    "not read: Gatehouse refuses invalid header names (400) instead of dropping"
                        + " them"),
                node(
                    "large-client-header-buffers",
                    OTHER,
                    "4 8k",
                    "not read: the node allows 32 KiB of request headers, 8 KiB a line (431"
                        + " beyond), and an 8 KiB request line (414)"),
                node(
                    "client-header-timeout",
                    SECURITY,
                    "60",
                    "not read: the node's header-read deadline is 10 s (408), stricter against slow"
                        + " clients"),
                node(
                    "client-body-timeout",
                    OTHER,
                    "60",
                    "not read: the node allows 60 s between request body reads, as ingress-nginx's"
                        + " default"),
                node(
                    "keep-alive",
                    OTHER,
                    "75",
                    "not read: the node closes an idle client connection after 75 s, as"
                        + " ingress-nginx's default"),
                node(
                    "keep-alive-requests",
                    OTHER,
                    "100",
                    "not read: the node does not cap the requests of a client connection"),
                node(
                    "upstream-keepalive-connections",
                    OTHER,
                    "320",
                    "not read: Gatehouse keeps a pool per endpoint and event loop"),
                node(
                    "upstream-keepalive-timeout",
                    OTHER,
                    "60",
                    "not read: idle upstream connections are closed by the pool's own timeout"),
                node(
                    "upstream-keepalive-requests",
                    OTHER,
                    "10000",
                    "not read: upstream connections are reused without a request cap"),
                node(
                    "upstream-keepalive-time",
                    OTHER,
                    "1h",
                    "not read: upstream connections are reused without a lifetime cap"),
                node("proxy-buffering", OTHER, "off", STREAMS),
                node("proxy-request-buffering", OTHER, "on", STREAMS),
                node(
                    "proxy-buffer-size",
                    OTHER,
                    "4k",
                    "not read: a route's response head may be as large as the node's"
                        + " limits.maxHeaderBytes (32 KiB by default, above nginx's 4k), or what"
                        + " its Ingress's proxy-buffer-size annotation says (a larger head is a"
                        + " 502)"),
                node("proxy-buffers-number", OTHER, "4", STREAMS),
                node("client-body-buffer-size", OTHER, "8k", STREAMS),
                node(
                    "log-format-upstream",
                    OTHER,
                    "",
                    "not read: Gatehouse writes its own access log, its fields chosen by"
                        + " log.accessFields (docs/observability.md); nginx variables are never"
                        + " evaluated"),
                node(
                    "log-format-escape-json",
                    OTHER,
                    "false",
                    "not read: Gatehouse's access log (JSON or text, log.accessFormat) escapes"
                        + " every value either way"),
                node(
                    "enable-access-log-for-default-backend",
                    OTHER,
                    "false",
                    "not read: requests no route matches are logged like every other request"),
                node(
                    "disable-access-log",
                    OTHER,
                    "false",
                    "not read: the node's access log settings (docs/observability.md)"),
                node(
                    "use-http2",
                    OTHER,
                    "true",
                    "not read: HTTPS listeners offer h2 then http/1.1 by ALPN"),
                node(
                    "worker-processes",
                    OTHER,
                    "auto",
                    "not read: the node runs one event loop per core"),
                node(
                    "max-worker-connections",
                    OTHER,
                    "16384",
                    "not read: the node's connection caps (docs/proxy.md)"),
                node(
                    "global-rate-limit-memcached-host",
                    OTHER,
                    "",
                    "not read: cluster-wide limits are shared over the nodes' Hazelcast cluster,"
                        + " no memcached")));
    all.sort(Comparator.comparing(NginxConfigKey::name));
    Map<String, NginxConfigKey> byName = new LinkedHashMap<>();
    for (NginxConfigKey k : all) {
      if (byName.put(k.name(), k) != null) {
        throw new IllegalStateException("listed twice: " + k.name());
      }
    }
    ALL = List.copyOf(all);
    BY_NAME = Map.copyOf(byName);
  }

  /** The entry of {@code key}, or null when Gatehouse does not know it. */
  public static @Nullable NginxConfigKey find(String key) {
    return BY_NAME.get(key);
  }

  /** The entries of an outcome. */
  public static List<NginxConfigKey> with(NginxAnnotation.Outcome outcome) {
    return ALL.stream().filter(k -> k.outcome() == outcome).toList();
  }

  private static NginxConfigKey live(
      String name,
      NginxAnnotation.Outcome outcome,
      NginxAnnotation.Effect effect,
      String inert,
      String note,
      String sample) {
    return new NginxConfigKey(name, outcome, effect, TRANSLATION, inert, note, sample);
  }

  /** A node setting: not read, and a value other than {@code inert} gets a Warning event. */
  private static NginxConfigKey node(
      String name, NginxAnnotation.Effect effect, String inert, String note) {
    return new NginxConfigKey(name, DIFFERENT, effect, NODE, inert, note, "x");
  }
}
