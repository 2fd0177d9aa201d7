package io.gatehouse.k8s.translate;

import static io.gatehouse.k8s.translate.IngressAnnotations.NGINX;
import static io.gatehouse.k8s.translate.IngressAnnotations.PREFIX;
import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.OTHER;
import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.SECURITY;
import static io.gatehouse.k8s.translate.NginxAnnotation.different;
import static io.gatehouse.k8s.translate.NginxAnnotation.same;

import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.policy.BasicAuth;
import io.gatehouse.model.policy.ConnectionLimit;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.model.policy.IpAccess;
import io.gatehouse.model.policy.JwtAuth;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.validate.Cidrs;
import io.gatehouse.validate.RouteValidator;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The access-control annotations (issue #15), read apart from {@link IngressAnnotations} as {@link
 * ResilienceAnnotations} is. They change who may reach the backend, so the rule is stricter than
 * elsewhere: a value Gatehouse cannot read or honour refuses the Ingress (not served, with a
 * Warning), never serves it open. Only settings that cannot loosen access (a redirect target, a
 * cookie, bandwidth) are ignored with a Warning.
 *
 * <pre>
 * gatehouse.io/                  nginx.ingress.kubernetes.io/         model
 * allow-source-range: CIDRs      whitelist-source-range (allowlist-)  IpAccess.allow
 * deny-source-range: CIDRs       denylist-source-range                IpAccess.deny
 * auth-type: basic               auth-type: basic (digest refused)    BasicAuth
 * auth-secret: name              auth-secret: name | ns/name (own ns) its users (a Secret)
 * auth-secret-type               auth-secret-type: auth-file|auth-map key "auth" | user keys
 * auth-realm                     auth-realm                           BasicAuth.realm
 * auth-forward-authorization     -                                    forwardAuthorization
 * auth-url                       auth-url                             ForwardAuth.url
 * auth-method                    auth-method                          ForwardAuth.method
 * auth-request-headers           - (nginx sends every header)         requestHeaders
 * auth-response-headers          auth-response-headers                responseHeaders
 * auth-signin                    auth-signin ($host, $scheme, rd=$escaped_request_uri...)  signin,
 *                                                                     signinRedirect
 * -                              auth-signin-redirect-param           signinRedirectParam
 * auth-cache-key: h1,h2          auth-cache-key: $http_h1$http_h2     cacheKey
 * auth-cache-duration: 5m        auth-cache-duration: 200 401 5m      cacheDuration
 * auth-timeout: 5s               -                                    timeout
 * auth-tls-secret: name          auth-tls-secret: ns/name (own ns)    ClientAuth.caBundlePem (ca.crt)
 * auth-tls-verify-client         auth-tls-verify-client: on|optional|off  ClientAuth.mode
 * auth-tls-verify-depth          auth-tls-verify-depth                ClientAuth.verifyDepth
 * auth-tls-pass-certificate-to-upstream  (same)                      ClientAuth.passCertificate
 * limit-rps, limit-rpm           limit-rps, limit-rpm                 RateLimit (per s, per min)
 * limit-burst-multiplier         limit-burst-multiplier               RateLimit.burst = rate x it
 * limit-connections              limit-connections                    ConnectionLimit.max
 * limit-exempt: CIDRs            limit-whitelist (limit-allowlist)    exempt
 * limit-scope: local|global      -                                    RateLimit.scope
 * limit-key: client-address|header:NAME|claim:NAME|route|tenant       LimitKey
 * -                              global-rate-limit: N, -window: 1m    RateLimit GLOBAL (per minute)
 * -                              global-rate-limit-key, -ignored-cidrs  its key, exempt
 * jwt-jwks-uri, jwt-algorithms, jwt-issuer, jwt-audiences, jwt-clock-skew, jwt-required-claims,
 * jwt-claim-headers (claim=header,...), jwt-forward-token, jwt-header, jwt-cookie,
 * jwt-jwks-cache-duration, jwt-jwks-min-refetch, jwt-jwks-timeout            JwtAuth
 * </pre>
 *
 * <p>Refused (the Ingress is not served): {@code auth-type: digest} (it needs a password an
 * attacker could use if read, and the model keeps only slow hashes), {@code auth-secret} or {@code
 * auth-tls-secret} of another namespace (a tenant reads only its own Secrets), {@code
 * auth-tls-verify-client: optional_no_ca} (it serves certificates nobody verified), an nginx
 * variable in {@code auth-url} or {@code auth-signin} other than {@code $host} and {@code $scheme}
 * (set per route by {@link IngressTranslator}) and, at the end of the signin's redirect parameter,
 * {@code $escaped_request_uri} or {@code $request_uri}, and every malformed value. The outcome of
 * each ingress-nginx annotation read here, with its note, is its {@link #CATALOGUE} entry (the
 * table of {@code docs/ingress-nginx.md}): {@code auth-tls-match-cn} and {@code
 * auth-proxy-set-headers} are refused there, so the generic check refuses them; the settings served
 * otherwise ({@code auth-keepalive*}, {@code auth-tls-error-page}, {@code limit-rate}...) get a
 * Warning quoting their note.
 */
final class AccessAnnotations {
  private AccessAnnotations() {}

  /**
   * What the access annotations ask for.
   *
   * @param policies the policies that need no Secret, in evaluation order
   * @param basic the basic auth whose users a Secret holds, or null
   * @param clientCert the client certificates whose CAs a Secret holds, or null
   */
  record Result(
      List<PolicySpec> policies,
      @Nullable BasicSecret basic,
      @Nullable ClientCertSecret clientCert) {
    static final Result NONE = new Result(List.of(), null, null);

    Result {
      policies = List.copyOf(policies);
    }
  }

  /**
   * Basic auth by a Secret of the Ingress's namespace.
   *
   * @param key the annotation that named the Secret, for messages
   * @param authMap {@code auth-map} (a key per user) rather than {@code auth-file} (key {@code
   *     auth})
   */
  record BasicSecret(
      String key, String secret, boolean authMap, String realm, boolean forwardAuthorization) {}

  /**
   * Client certificates whose CAs are the {@code ca.crt} of a Secret of the Ingress's namespace.
   */
  record ClientCertSecret(
      String key, String secret, ClientAuth.Mode mode, int verifyDepth, boolean passCertificate) {}

  /** The key of an {@code auth-file} Secret, as ingress-nginx reads it. */
  static final String AUTH_FILE_KEY = "auth";

  /** The key of the CA bundle in an {@code auth-tls-secret}, as ingress-nginx reads it. */
  static final String CA_KEY = "ca.crt";

  /** ingress-nginx's default {@code auth-cache-duration}: {@code 200 202 401 5m}. */
  static final Duration DEFAULT_CACHE = Duration.ofMinutes(5);

  static final List<String> KNOWN =
      List.of(
          "allow-source-range",
          "deny-source-range",
          "auth-type",
          "auth-secret",
          "auth-secret-type",
          "auth-realm",
          "auth-forward-authorization",
          "auth-url",
          "auth-method",
          "auth-request-headers",
          "auth-response-headers",
          "auth-signin",
          "auth-cache-key",
          "auth-cache-duration",
          "auth-timeout",
          "auth-tls-secret",
          "auth-tls-verify-client",
          "auth-tls-verify-depth",
          "auth-tls-pass-certificate-to-upstream",
          "limit-rps",
          "limit-rpm",
          "limit-burst-multiplier",
          "limit-connections",
          "limit-exempt",
          "limit-scope",
          "limit-key",
          "jwt-jwks-uri",
          "jwt-algorithms",
          "jwt-issuer",
          "jwt-audiences",
          "jwt-clock-skew",
          "jwt-required-claims",
          "jwt-claim-headers",
          "jwt-forward-token",
          "jwt-header",
          "jwt-cookie",
          "jwt-jwks-cache-duration",
          "jwt-jwks-min-refetch",
          "jwt-jwks-timeout");

  /** The catalogue entries of the ingress-nginx annotations read here ({@link NginxCatalogue}). */
  static final List<NginxAnnotation> CATALOGUE =
      List.of(
          different(
              "whitelist-source-range",
              "Allowlist",
              SECURITY,
              "The old name of allowlist-source-range; when both are set, allowlist-source-range"
                  + " wins (a Warning says so). A CIDR that does not parse refuses the Ingress.",
              Map.of("whitelist-source-range", "10.0.0.0/8")),
          same(
              "allowlist-source-range",
              "Allowlist",
              SECURITY,
              "A CIDR that does not parse refuses the Ingress.",
              Map.of("allowlist-source-range", "10.0.0.0/8")),
          same(
              "denylist-source-range",
              "Denylist",
              SECURITY,
              "A CIDR that does not parse refuses the Ingress.",
              Map.of("denylist-source-range", "10.0.0.0/8")),
          same(
              "auth-type",
              "BasicDigestAuth",
              SECURITY,
              "basic; digest refuses the Ingress (it needs passwords kept readable, and Gatehouse"
                  + " keeps only slow hashes).",
              Map.of("auth-secret", "users", "auth-type", "basic")),
          different(
              "auth-secret",
              "BasicDigestAuth",
              SECURITY,
              "A Secret of the Ingress's own namespace only: ns/name naming another namespace"
                  + " refuses the Ingress (a tenant reads only its own Secrets), and so do a"
                  + " missing Secret and a hash scheme Gatehouse does not verify.",
              Map.of("auth-type", "basic", "auth-secret", "users")),
          same(
              "auth-secret-type",
              "BasicDigestAuth",
              SECURITY,
              "auth-file (key auth, htpasswd lines; the default) or auth-map (a key per user).",
              Map.of("auth-type", "basic", "auth-secret", "users", "auth-secret-type", "auth-map")),
          same(
              "auth-realm",
              "BasicDigestAuth",
              OTHER,
              "",
              Map.of("auth-type", "basic", "auth-secret", "users", "auth-realm", "Staff")),
          different(
              "auth-url",
              "ExternalAuth",
              SECURITY,
              "An absolute http(s) URL; $host and $scheme are set per route to the rule's host and"
                  + " to https for a host with a tls section, else http (a rule without one host"
                  + " is not served); any other nginx variable refuses the Ingress. The subrequest"
                  + " carries Authorization and Cookie and the X-Original-URL family of headers,"
                  + " not every client header; an answer other than 2xx, 401 or 403, or none,"
                  + " fails closed (503/504).",
              Map.of("auth-url", "https://$host/oauth2/auth")),
          same(
              "auth-method",
              "ExternalAuth",
              SECURITY,
              "",
              Map.of("auth-url", "https://auth.example/check", "auth-method", "POST")),
          same(
              "auth-response-headers",
              "ExternalAuth",
              SECURITY,
              "The client's own values of these headers are always removed.",
              Map.of("auth-url", "https://auth.example/check", "auth-response-headers", "X-User")),
          different(
              "auth-signin",
              "ExternalAuth",
              SECURITY,
              "A 401 becomes a 302 to this URL, built as ingress-nginx does: without the redirect"
                  + " parameter, it is added with the original URL (percent-encoded whole, where"
                  + " nginx leaves scheme://host as is: the same once decoded); with it, the URL"
                  + " as written, $escaped_request_uri or $request_uri served at the end of that"
                  + " parameter. $host and $scheme as in auth-url; any other variable refuses the"
                  + " Ingress.",
              Map.of(
                  "auth-url",
                  "https://$host/oauth2/auth",
                  "auth-signin",
                  "https://$host/oauth2/start?rd=$escaped_request_uri")),
          same(
              "auth-signin-redirect-param",
              "ExternalAuth",
              OTHER,
              "The parameter that carries the original URL (rd by default); a name that is not"
                  + " letters, digits, '-', '.', '_' or '~' refuses the Ingress.",
              Map.of(
                  "auth-url",
                  "https://auth.example/check",
                  "auth-signin",
                  "https://auth.example/start",
                  "auth-signin-redirect-param",
                  "redirect_uri")),
          different(
              "auth-cache-key",
              "ExternalAuth",
              SECURITY,
              "Read when it is only $http_NAME variables (request headers); any other expression"
                  + " caches nothing (every request asks the auth service), with a Warning.",
              Map.of(
                  "auth-url",
                  "https://auth.example/check",
                  "auth-cache-key",
                  "$http_authorization")),
          different(
              "auth-cache-duration",
              "ExternalAuth",
              SECURITY,
              "One time, at most 1 hour, for 2xx, 401 and 403 answers whatever statuses are"
                  + " listed (others are never cached); only with auth-cache-key.",
              Map.of(
                  "auth-url",
                  "https://auth.example/check",
                  "auth-cache-key",
                  "$http_authorization",
                  "auth-cache-duration",
                  "200 1m")),
          different(
              "auth-request-redirect",
              "ExternalAuth",
              OTHER,
              "Not applied: X-Auth-Request-Redirect always carries the request's own URI"
                  + " (ingress-nginx's default).",
              Map.of(
                  "auth-url",
                  "https://auth.example/check",
                  "auth-request-redirect",
                  "https://a.example/")),
          different(
              "auth-always-set-cookie",
              "ExternalAuth",
              OTHER,
              "Not applied: the auth service's Set-Cookie never reaches the client (its"
                  + " auth-response-headers go to the backend).",
              Map.of("auth-url", "https://auth.example/check", "auth-always-set-cookie", "true")),
          NginxAnnotation.refused(
              "auth-proxy-set-headers",
              "ExternalAuth",
              SECURITY,
              "A ConfigMap of headers to send to the auth service is not read (name the client"
                  + " headers to copy in gatehouse.io/auth-request-headers); the service asked"
                  + " without them could decide otherwise",
              "shop/auth-headers"),
          different(
              "auth-keepalive",
              "ExternalAuth",
              OTHER,
              "Not set per Ingress: connections to auth services are always kept alive, in one"
                  + " pool per node (30 s idle).",
              Map.of("auth-url", "https://auth.example/check", "auth-keepalive", "10")),
          different(
              "auth-keepalive-requests",
              "ExternalAuth",
              OTHER,
              "Not set per Ingress: connections to auth services are always kept alive, in one"
                  + " pool per node.",
              Map.of("auth-url", "https://auth.example/check", "auth-keepalive-requests", "100")),
          different(
              "auth-keepalive-timeout",
              "ExternalAuth",
              OTHER,
              "Not set per Ingress: idle connections to auth services close after 30 s.",
              Map.of("auth-url", "https://auth.example/check", "auth-keepalive-timeout", "30")),
          different(
              "auth-keepalive-share-vars",
              "ExternalAuth",
              OTHER,
              "Not applicable: Gatehouse has no nginx variables to share.",
              Map.of(
                  "auth-url", "https://auth.example/check", "auth-keepalive-share-vars", "true")),
          different(
              "auth-tls-secret",
              "CertificateAuth",
              SECURITY,
              "ns/name of the Ingress's own namespace only (another namespace refuses the"
                  + " Ingress); its ca.crt. A host without a tls section is not served.",
              Map.of("auth-tls-secret", "shop/ca")),
          different(
              "auth-tls-verify-client",
              "CertificateAuth",
              SECURITY,
              "on (the default), optional or off; optional_no_ca refuses the Ingress (it passes"
                  + " certificates nobody verified).",
              Map.of("auth-tls-secret", "shop/ca", "auth-tls-verify-client", "optional")),
          same(
              "auth-tls-verify-depth",
              "CertificateAuth",
              SECURITY,
              "Default 1.",
              Map.of("auth-tls-secret", "shop/ca", "auth-tls-verify-depth", "2")),
          same(
              "auth-tls-pass-certificate-to-upstream",
              "CertificateAuth",
              SECURITY,
              "",
              Map.of(
                  "auth-tls-secret", "shop/ca", "auth-tls-pass-certificate-to-upstream", "true")),
          different(
              "auth-tls-error-page",
              "CertificateAuth",
              OTHER,
              "Not applied: a request without a valid certificate is answered 403, not redirected"
                  + " to the page.",
              Map.of(
                  "auth-tls-secret", "shop/ca", "auth-tls-error-page", "https://a.example/error")),
          NginxAnnotation.refused(
              "auth-tls-match-cn",
              "CertificateAuth",
              SECURITY,
              "A restriction on the client certificate's subject is not supported; serving without"
                  + " it would admit every certificate the CAs signed",
              "CN=client"),
          different(
              "limit-rps",
              "RateLimit",
              SECURITY,
              "Per client address and node, burst rate x limit-burst-multiplier; over it the"
                  + " answer is 429 with Retry-After (ingress-nginx: 503).",
              Map.of("limit-rps", "10")),
          different(
              "limit-rpm",
              "RateLimit",
              SECURITY,
              "Per client address and node, burst rate x limit-burst-multiplier; over it the"
                  + " answer is 429 with Retry-After (ingress-nginx: 503).",
              Map.of("limit-rpm", "600")),
          same(
              "limit-burst-multiplier",
              "RateLimit",
              SECURITY,
              "Default 5; 0 refuses the Ingress.",
              Map.of("limit-rps", "10", "limit-burst-multiplier", "3")),
          different(
              "limit-connections",
              "RateLimit",
              SECURITY,
              "Counts requests in flight per client address, not connections (an HTTP/2"
                  + " connection carries many); one more is answered 429 (ingress-nginx: 503).",
              Map.of("limit-connections", "5")),
          same(
              "limit-whitelist",
              "RateLimit",
              SECURITY,
              "The old name of limit-allowlist: addresses exempt from the limits.",
              Map.of("limit-rps", "10", "limit-whitelist", "10.0.0.0/8")),
          same(
              "limit-allowlist",
              "RateLimit",
              SECURITY,
              "Addresses exempt from the limits.",
              Map.of("limit-rps", "10", "limit-allowlist", "10.0.0.0/8")),
          different(
              "limit-rate",
              "RateLimit",
              OTHER,
              "Not applied: Gatehouse does not limit the bandwidth of a response.",
              Map.of("limit-rate", "100")),
          different(
              "limit-rate-after",
              "RateLimit",
              OTHER,
              "Not applied: Gatehouse does not limit the bandwidth of a response.",
              Map.of("limit-rate", "100", "limit-rate-after", "1000")),
          different(
              "global-rate-limit",
              "GlobalRateLimit",
              SECURITY,
              "Counted across the Gatehouse cluster without memcached, as a token bucket of the"
                  + " same average per minute with the limit as burst (below 1 a minute refuses the"
                  + " Ingress); the key defaults to the client address; over it, 429.",
              Map.of("global-rate-limit-window", "1m", "global-rate-limit", "100")),
          same(
              "global-rate-limit-window",
              "GlobalRateLimit",
              SECURITY,
              "",
              Map.of("global-rate-limit", "100", "global-rate-limit-window", "10s")),
          different(
              "global-rate-limit-key",
              "GlobalRateLimit",
              SECURITY,
              "$remote_addr or one $http_NAME variable; anything else refuses the Ingress.",
              Map.of(
                  "global-rate-limit",
                  "100",
                  "global-rate-limit-window",
                  "1m",
                  "global-rate-limit-key",
                  "$http_x_api_key")),
          same(
              "global-rate-limit-ignored-cidrs",
              "GlobalRateLimit",
              SECURITY,
              "",
              Map.of(
                  "global-rate-limit",
                  "100",
                  "global-rate-limit-window",
                  "1m",
                  "global-rate-limit-ignored-cidrs",
                  "10.0.0.0/8")),
          different(
              "satisfy",
              "Satisfy",
              SECURITY,
              "Served stricter, as all: with any, an address the allowlist admits must still"
                  + " authenticate (ingress-nginx lets it in without credentials); a Warning says"
                  + " so.",
              Map.of(
                  "auth-type",
                  "basic",
                  "auth-secret",
                  "users",
                  "allowlist-source-range",
                  "10.0.0.0/8",
                  "satisfy",
                  "any")),
          different(
              "enable-global-auth",
              "EnableGlobalAuth",
              SECURITY,
              "With the controller ConfigMap's global-auth-url, false exempts the Ingress from the"
                  + " global auth service, as ingress-nginx; without a global-auth-url it changes"
                  + " nothing.",
              Map.of("enable-global-auth", "false")));

  /** The documented difference of a DIFFERENT entry, for its Warning. */
  private static String note(String name) {
    for (NginxAnnotation a : CATALOGUE) {
      if (a.name().equals(name)) {
        return a.note();
      }
    }
    throw new IllegalArgumentException(name);
  }

  /** A query parameter name ingress-nginx's auth-signin-redirect-param may be here. */
  private static final Pattern REDIRECT_PARAM = Pattern.compile("[A-Za-z0-9._~-]{1,64}");

  /** An nginx variable: {@code $name} or {@code ${name}}. */
  private static final Pattern NGINX_VARIABLE =
      Pattern.compile("\\$(?:\\{([A-Za-z0-9_]*)\\}|([A-Za-z0-9_]*))");

  /**
   * The variables of auth-url and auth-signin that are the route's own: substituted by {@link
   * #forRoute} with the route's host and scheme.
   */
  static final List<String> ROUTE_VARIABLES = List.of("host", "scheme");

  /** The variables of auth-signin evaluated per request: the request URI, escaped or not. */
  private static final List<String> REQUEST_VARIABLES =
      List.of("escaped_request_uri", "request_uri");

  /** A sample host and scheme, to check a template's shape before a route's own are known. */
  private static final String SAMPLE_HOST = "host.invalid";

  /**
   * Why {@code template} is not an absolute http(s) URL once its variables (only {@code allowed}
   * ones) are set, or null.
   */
  static @Nullable String templateProblem(String template, List<String> allowed) {
    Matcher m = NGINX_VARIABLE.matcher(template);
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      if (!allowed.contains(name)) {
        return "an absolute http or https URL without user info or fragment, whose only nginx"
            + " variables are $host and $scheme; \""
            + m.group()
            + "\" is not one";
      }
    }
    String sample = substitute(template, SAMPLE_HOST, "https");
    return Parser.urlProblem(sample);
  }

  /** {@code template} with {@code $host} and {@code $scheme} (either spelling) set. */
  static String substitute(String template, String host, String scheme) {
    if (template.indexOf('$') < 0) {
      return template;
    }
    Matcher m = NGINX_VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      String value =
          switch (name) {
            case "host" -> host;
            case "scheme" -> scheme;
            default -> m.group();
          };
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Whether {@code f}'s URL or signin names the route's host or scheme. */
  static boolean perRoute(ForwardAuth f) {
    return names(f.url(), null) || (f.signin() != null && names(f.signin(), null));
  }

  /** Whether {@code f}'s URL or signin names the route's host. */
  static boolean usesHost(ForwardAuth f) {
    return names(f.url(), "host") || (f.signin() != null && names(f.signin(), "host"));
  }

  /** Whether {@code s} names the variable {@code name} (any variable when null). */
  private static boolean names(String s, @Nullable String name) {
    Matcher m = NGINX_VARIABLE.matcher(s);
    while (m.find()) {
      String found = m.group(1) != null ? m.group(1) : m.group(2);
      if (name == null || name.equals(found)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code f} for a route of {@code host} served over {@code scheme}: {@code $host} and {@code
   * $scheme} of its URL and signin set, as nginx evaluates them for that route's requests; null
   * when the result is not a URL Gatehouse can call or redirect to ({@code why} says why).
   */
  static @Nullable ForwardAuth forRoute(
      ForwardAuth f, String host, String scheme, StringBuilder why) {
    String url = substitute(f.url(), host, scheme);
    String problem = Parser.urlProblem(url);
    String signin = f.signin() == null ? null : substitute(f.signin(), host, scheme);
    if (problem == null && signin != null) {
      problem = Parser.urlProblem(signin);
    }
    if (problem != null) {
      why.append(problem);
      return null;
    }
    return f.withUrls(url, signin);
  }

  /**
   * An auth-signin read: the URL (its {@code $host}/{@code $scheme} still to set) and what the
   * router adds to it, or the problem.
   */
  record Signin(
      @Nullable String url, ForwardAuth.SigninRedirect redirect, @Nullable String problem) {}

  /**
   * ingress-nginx's {@code buildAuthSignURL}: a URL whose query has no {@code param} (or an empty
   * one) gets {@code param=$pass_access_scheme://$http_host$escaped_request_uri} appended (the
   * original URL: {@code URL}); one with it is used as written, nginx evaluating its variables. Of
   * those, {@code $escaped_request_uri} or {@code $request_uri} are served at the very end of the
   * {@code param} value (appended per request: {@code ESCAPED_URI}, {@code URI}); without them the
   * URL is used as is ({@code NONE}); any other variable but {@code $host}/{@code $scheme} refuses.
   */
  static Signin signin(String raw, String param) {
    String url = raw;
    ForwardAuth.SigninRedirect redirect = null;
    for (String v : REQUEST_VARIABLES) {
      for (String spelled : List.of("$" + v, "${" + v + "}")) {
        if (redirect == null && url.endsWith(spelled)) {
          url = url.substring(0, url.length() - spelled.length());
          redirect =
              v.equals("request_uri")
                  ? ForwardAuth.SigninRedirect.URI
                  : ForwardAuth.SigninRedirect.ESCAPED_URI;
        }
      }
    }
    String rule =
        "an absolute http or https URL whose only nginx variables are $host, $scheme and, at the"
            + " end of its "
            + param
            + " parameter, $escaped_request_uri or $request_uri";
    String problem = templateProblem(url, ROUTE_VARIABLES);
    if (problem != null) {
      return new Signin(null, ForwardAuth.SigninRedirect.URL, rule);
    }
    String sample = substitute(url, SAMPLE_HOST, "https");
    String query;
    try {
      query = new URI(sample).getRawQuery();
    } catch (URISyntaxException e) {
      return new Signin(null, ForwardAuth.SigninRedirect.URL, rule);
    }
    String last = null;
    boolean hasParam = false;
    if (query != null) {
      for (String pair : query.split("&", -1)) {
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        if (name.equals(param) && !value.isEmpty()) {
          hasParam = true;
        }
        last = pair;
      }
    }
    if (redirect != null) {
      // the request URI ends the param's value: the URL keeps "param=" (and any prefix) last
      if (last == null || !last.startsWith(param + "=")) {
        return new Signin(null, ForwardAuth.SigninRedirect.URL, rule);
      }
      return new Signin(url, redirect, null);
    }
    return new Signin(
        url, hasParam ? ForwardAuth.SigninRedirect.NONE : ForwardAuth.SigninRedirect.URL, null);
  }

  /** {@code $http_x_user$http_authorization}: request headers, nginx's way. */
  private static final Pattern NGINX_HEADER_VARS = Pattern.compile("(?:\\$http_[a-z0-9_]+)+");

  private static final Pattern NGINX_HEADER_VAR = Pattern.compile("\\$http_([a-z0-9_]+)");

  /** {@code [status ...] time}: ingress-nginx's auth-cache-duration. */
  private static final Pattern CACHE_DURATION =
      Pattern.compile("((?:[1-5][0-9][0-9]\\s+)*)([0-9]+(?:ms|s|m|h|d)?)");

  /** The methods a subrequest may use. */
  private static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  /** The asymmetric JWS algorithms: an annotation carries no inline (HMAC) key. */
  private static final List<String> JWT_ALGORITHMS =
      List.of(
          "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");

  static Result parse(
      IngressRef ingress, Map<String, String> all, ResilienceAnnotations.Sink sink) {
    return new Parser(ingress, all, sink).parse();
  }

  private static final class Parser {
    private final IngressRef ingress;
    private final Map<String, String> all;
    private final ResilienceAnnotations.Sink sink;

    Parser(IngressRef ingress, Map<String, String> all, ResilienceAnnotations.Sink sink) {
      this.ingress = ingress;
      this.all = all;
      this.sink = sink;
    }

    Result parse() {
      List<PolicySpec> policies = new ArrayList<>();
      IpAccess ip = ipAccess();
      if (ip != null) {
        policies.add(ip);
      }
      BasicSecret basic = basic();
      JwtAuth jwt = jwt();
      if (basic != null && jwt != null && jwt.header().equals(JwtAuth.DEFAULT_HEADER)) {
        // one Authorization header cannot carry both credentials
        sink.refuse(
            "InvalidAnnotation",
            PREFIX + "jwt-jwks-uri",
            "a token read from Authorization beside auth-type: basic (a request carries one"
                + " Authorization; read the token from gatehouse.io/jwt-header or jwt-cookie);"
                + " the Ingress is not served");
        return Result.NONE;
      }
      if (jwt != null) {
        policies.add(jwt);
      }
      ForwardAuth forward = forwardAuth();
      if (forward != null) {
        policies.add(forward);
      }
      policies.addAll(limits());
      RateLimit global = nginxGlobalLimit();
      if (global != null) {
        policies.add(global);
      }
      ClientCertSecret cert = clientCert();
      String satisfy = nginx("satisfy");
      if (satisfy != null && !satisfy.trim().equalsIgnoreCase("all")) {
        // nginx's "any" lets an allowed address in without credentials; Gatehouse asks every
        // rule, which is stricter: an allowed address still has to sign in
        sink.problem(
            "UnsupportedAnnotation",
            NGINX
                + "satisfy: \""
                + satisfy
                + "\" is served as all: every access rule must pass, so an allowed address"
                + " still needs credentials");
      }
      return new Result(policies, basic, cert);
    }

    // ---- IP rules

    private @Nullable IpAccess ipAccess() {
      String[] allow = lookup("allow-source-range", "allowlist-source-range");
      if (allow == null) {
        allow = lookup("allow-source-range", "whitelist-source-range");
      } else if (allow[0].startsWith(NGINX) && nginx("whitelist-source-range") != null) {
        sink.problem(
            "UnsupportedAnnotation",
            NGINX + "whitelist-source-range: ignored beside " + NGINX + "allowlist-source-range");
      }
      String[] deny = lookup("deny-source-range", "denylist-source-range");
      List<String> allowed = allow == null ? List.of() : cidrs(allow);
      List<String> denied = deny == null ? List.of() : cidrs(deny);
      if (allowed == null || denied == null) {
        return null;
      }
      for (String[] kv : new String[][] {allow, deny}) {
        if (kv != null && kv[1].isEmpty()) {
          sink.problem(
              "InvalidAnnotation",
              kv[0] + ": \"\" lists no address; it restricts nothing (as ingress-nginx)");
        }
      }
      return allowed.isEmpty() && denied.isEmpty() ? null : new IpAccess(allowed, denied);
    }

    /** The CIDRs of a comma list; null (the Ingress refused) when one is not a CIDR. */
    private @Nullable List<String> cidrs(String[] kv) {
      List<String> out = new ArrayList<>();
      for (String item : kv[1].split(",", -1)) {
        String c = item.trim();
        if (c.isEmpty()) {
          continue;
        }
        String problem = Cidrs.problem(c);
        if (problem != null) {
          sink.refuse(
              "InvalidAnnotation",
              kv[0],
              problem + "; the Ingress is not served rather than with a wrong address list");
          return null;
        }
        if (!out.contains(c)) {
          out.add(c);
        }
      }
      return out;
    }

    // ---- Basic auth

    private @Nullable BasicSecret basic() {
      String[] type = lookup("auth-type", "auth-type");
      String[] secret = lookup("auth-secret", "auth-secret");
      String[] secretType = lookup("auth-secret-type", "auth-secret-type");
      String[] realm = lookup("auth-realm", "auth-realm");
      if (type == null) {
        if (secret != null) {
          sink.refuse(
              "InvalidAnnotation",
              secret[0],
              "\""
                  + secret[1]
                  + "\" without auth-type: basic; the Ingress is not served rather than served"
                  + " open");
          return null;
        }
        for (String[] kv : new String[][] {secretType, realm}) {
          if (kv != null) {
            sink.problem("UnsupportedAnnotation", kv[0] + ": ignored without auth-type: basic");
          }
        }
        return null;
      }
      String t = type[1].toLowerCase(Locale.ROOT);
      if (t.equals("digest")) {
        sink.refuse(
            "UnsupportedAnnotation",
            type[0],
            "\"digest\" is not supported (it needs a password, or an MD5 of it, that opens the"
                + " route if read; use basic with bcrypt or Argon2 hashes); the Ingress is not"
                + " served");
        return null;
      }
      if (!t.equals("basic")) {
        sink.refuse(
            "InvalidAnnotation",
            type[0],
            "\"" + type[1] + "\" (expected: basic); the Ingress is not served");
        return null;
      }
      if (secret == null || secret[1].isEmpty()) {
        sink.refuse(
            "InvalidAnnotation",
            type[0],
            "basic needs auth-secret (the Secret with the users); the Ingress is not served"
                + " rather than served open");
        return null;
      }
      String name = ownSecret(secret);
      if (name == null) {
        return null;
      }
      boolean authMap = false;
      if (secretType != null) {
        switch (secretType[1]) {
          case "auth-file" -> authMap = false;
          case "auth-map" -> authMap = true;
          default -> {
            sink.refuse(
                "InvalidAnnotation",
                secretType[0],
                "\""
                    + secretType[1]
                    + "\" (expected: auth-file or auth-map); the Ingress is not"
                    + " served");
            return null;
          }
        }
      }
      String r = realm == null || realm[1].isEmpty() ? BasicAuth.DEFAULT_REALM : realm[1];
      for (int i = 0; i < r.length(); i++) {
        char c = r.charAt(i);
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
          sink.refuse(
              "InvalidAnnotation",
              Objects.requireNonNull(realm, "a realm other than the default")[0],
              "a character at index "
                  + i
                  + " cannot be sent in a challenge (expected: printable ASCII without '\"' or"
                  + " '\\'); the Ingress is not served");
          return null;
        }
      }
      return new BasicSecret(
          secret[0], name, authMap, r, bool("auth-forward-authorization", null, true));
    }

    /**
     * The name of a Secret of the Ingress's own namespace ({@code name} or {@code ns/name}); null
     * (the Ingress refused) for another namespace's: a tenant reads only its own Secrets.
     */
    private @Nullable String ownSecret(String[] kv) {
      String v = kv[1];
      int slash = v.indexOf('/');
      String ns = slash < 0 ? ingress.namespace() : v.substring(0, slash);
      String name = slash < 0 ? v : v.substring(slash + 1);
      if (!ns.equals(ingress.namespace())) {
        sink.refuse(
            "UnsupportedAnnotation",
            kv[0],
            "\""
                + v
                + "\" names a Secret of namespace \""
                + ns
                + "\" (expected: a Secret of the Ingress's namespace \""
                + ingress.namespace()
                + "\"; a tenant reads only its own Secrets); the Ingress is not served");
        return null;
      }
      if (name.isEmpty() || name.indexOf('/') >= 0 || name.length() > 253) {
        sink.refuse(
            "InvalidAnnotation",
            kv[0],
            "\"" + v + "\" (expected: a Secret name or namespace/name); the Ingress is not served");
        return null;
      }
      return name;
    }

    // ---- Forward auth

    private @Nullable ForwardAuth forwardAuth() {
      String[] url = lookup("auth-url", "auth-url");
      List<String> refinements =
          List.of(
              "auth-method",
              "auth-response-headers",
              "auth-signin",
              "auth-signin-redirect-param",
              "auth-cache-key",
              "auth-cache-duration",
              "auth-request-redirect",
              "auth-always-set-cookie",
              "auth-keepalive",
              "auth-keepalive-requests",
              "auth-keepalive-timeout",
              "auth-keepalive-share-vars",
              "auth-request-headers",
              "auth-timeout");
      if (url == null) {
        for (String k : refinements) {
          for (String key : List.of(PREFIX + k, NGINX + k)) {
            if (all.containsKey(key)) {
              sink.problem("UnsupportedAnnotation", key + ": ignored without auth-url");
            }
          }
        }
        return null;
      }
      String u = url[1];
      String why = templateProblem(u, ROUTE_VARIABLES);
      if (why != null) {
        sink.refuse(
            "InvalidAnnotation",
            url[0],
            "\""
                + u
                + "\" (expected: "
                + why
                + "); the Ingress is not served rather than served"
                + " open");
        return null;
      }
      // auth-proxy-set-headers is a REFUSED catalogue entry: the generic check refuses
      String method = "GET";
      String[] m = lookup("auth-method", "auth-method");
      if (m != null) {
        method = m[1].toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
          sink.refuse(
              "InvalidAnnotation",
              m[0],
              "\""
                  + m[1]
                  + "\" (expected: GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS); the Ingress is not"
                  + " served");
          return null;
        }
      }
      List<String> requestHeaders = headerList("auth-request-headers", null);
      List<String> responseHeaders = headerList("auth-response-headers", "auth-response-headers");
      if (requestHeaders == null || responseHeaders == null) {
        return null;
      }
      String param = ForwardAuth.DEFAULT_SIGNIN_REDIRECT_PARAM;
      String p = nginx("auth-signin-redirect-param");
      if (p != null && !p.trim().isEmpty()) {
        param = p.trim();
        if (!REDIRECT_PARAM.matcher(param).matches()) {
          sink.refuse(
              "InvalidAnnotation",
              NGINX + "auth-signin-redirect-param",
              "\""
                  + p
                  + "\" (expected: a query parameter name of letters, digits, '-', '.', '_' or"
                  + " '~'); the Ingress is not served");
          return null;
        }
      }
      String signin = null;
      ForwardAuth.SigninRedirect redirect = ForwardAuth.SigninRedirect.URL;
      String[] s = lookup("auth-signin", "auth-signin");
      if (s != null && !s[1].isEmpty()) {
        Signin read = signin(s[1], param);
        if (read.problem() != null) {
          sink.refuse(
              "InvalidAnnotation",
              s[0],
              "\"" + s[1] + "\" (expected: " + read.problem() + "); the Ingress is not served");
          return null;
        }
        signin = read.url();
        redirect = read.redirect();
      }
      for (String k :
          List.of(
              "auth-request-redirect",
              "auth-always-set-cookie",
              "auth-keepalive",
              "auth-keepalive-requests",
              "auth-keepalive-timeout",
              "auth-keepalive-share-vars")) {
        if (nginx(k) != null) {
          sink.problem("UnsupportedAnnotation", NGINX + k + ": \"" + nginx(k) + "\": " + note(k));
        }
      }
      Duration timeout =
          duration("auth-timeout", null, ForwardAuth.DEFAULT_TIMEOUT, Duration.ofSeconds(60));
      List<String> cacheKey = cacheKey();
      Duration cacheDuration = cacheDuration(!cacheKey.isEmpty());
      return new ForwardAuth(
          u,
          method,
          requestHeaders,
          responseHeaders,
          signin,
          timeout,
          cacheKey,
          // no key, no cache: the duration is then zero (the validator holds the two together)
          cacheKey.isEmpty() ? Duration.ZERO : cacheDuration,
          redirect,
          param);
    }

    /** Why {@code u} is not an absolute http(s) URL Gatehouse can call, or null. */
    static @Nullable String urlProblem(String u) {
      String rule = "an absolute http or https URL without nginx variables, user info or fragment";
      if (u.indexOf('$') >= 0) {
        return rule;
      }
      try {
        URI uri = new URI(u);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https"))
            || uri.getHost() == null
            || uri.getRawUserInfo() != null
            || uri.getRawFragment() != null) {
          return rule;
        }
      } catch (URISyntaxException e) {
        return rule;
      }
      return null;
    }

    /** Lower-case header names of a comma list; null (refused) when one is not a token. */
    private @Nullable List<String> headerList(String own, @Nullable String nginxName) {
      String[] kv = lookup(own, nginxName);
      if (kv == null) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (String item : kv[1].split(",", -1)) {
        String h = item.trim().toLowerCase(Locale.ROOT);
        if (h.isEmpty()) {
          continue;
        }
        if (!RouteValidator.TOKEN.matcher(h).matches()) {
          sink.refuse(
              "InvalidAnnotation",
              kv[0],
              "\"" + item.trim() + "\" is not a header name; the Ingress is not served");
          return null;
        }
        if (!out.contains(h)) {
          out.add(h);
        }
      }
      return out;
    }

    /**
     * The headers whose values key the answer cache: {@code gatehouse.io/auth-cache-key} lists
     * them; ingress-nginx's is an nginx expression, read when it is only {@code $http_NAME}
     * variables. Anything else: no cache (every request asks the service) with a warning, never a
     * cache keyed by less than the expression meant.
     */
    private List<String> cacheKey() {
      String[] kv = lookup("auth-cache-key", "auth-cache-key");
      if (kv == null || kv[1].isEmpty()) {
        return List.of();
      }
      if (kv[0].startsWith(PREFIX)) {
        List<String> names = headerList("auth-cache-key", null);
        return names == null ? List.of() : names;
      }
      if (!NGINX_HEADER_VARS.matcher(kv[1]).matches()) {
        sink.problem(
            "UnsupportedAnnotation",
            kv[0]
                + ": \""
                + kv[1]
                + "\" is not only $http_NAME variables; no answer is cached (every request asks"
                + " the auth service)");
        return List.of();
      }
      List<String> out = new ArrayList<>();
      Matcher m = NGINX_HEADER_VAR.matcher(kv[1]);
      while (m.find()) {
        String h = m.group(1).replace('_', '-');
        if (!out.contains(h)) {
          out.add(h);
        }
      }
      return out;
    }

    private Duration cacheDuration(boolean cached) {
      String[] kv = lookup("auth-cache-duration", "auth-cache-duration");
      if (kv == null) {
        return DEFAULT_CACHE;
      }
      if (!cached) {
        sink.problem("UnsupportedAnnotation", kv[0] + ": ignored without auth-cache-key");
        return DEFAULT_CACHE;
      }
      String v = kv[1].trim();
      Matcher m = CACHE_DURATION.matcher(v);
      Duration d = null;
      if (kv[0].startsWith(PREFIX)) {
        d = IngressAnnotations.goDuration(v);
      } else if (m.matches()) {
        d = nginxTime(m.group(2));
        String codes = m.group(1).trim();
        for (String c : codes.isEmpty() ? new String[0] : codes.split("\\s+")) {
          if (!(c.startsWith("2") || c.equals("401") || c.equals("403"))) {
            sink.problem(
                "UnsupportedAnnotation",
                kv[0] + ": status " + c + " is not cached (Gatehouse caches 2xx, 401 and 403)");
          }
        }
      }
      if (d == null || d.isZero() || d.compareTo(Duration.ofHours(1)) > 0) {
        sink.problem(
            "InvalidAnnotation",
            kv[0]
                + ": \""
                + v
                + "\" (expected: "
                + (kv[0].startsWith(PREFIX)
                    ? "a duration such as 5m"
                    : "statuses then a time, such as 200 401 5m")
                + ", up to 1 hour); the default, 5m, is used");
        return DEFAULT_CACHE;
      }
      return d;
    }

    /** nginx's time: {@code 10} (seconds), {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
    private static @Nullable Duration nginxTime(String v) {
      if (v.endsWith("d")) {
        Duration hours = IngressAnnotations.goDuration(v.substring(0, v.length() - 1) + "h");
        return hours == null ? null : hours.multipliedBy(24);
      }
      return v.chars().allMatch(Character::isDigit)
          ? IngressAnnotations.goDuration(v + "s")
          : IngressAnnotations.goDuration(v);
    }

    // ---- Client certificates

    private @Nullable ClientCertSecret clientCert() {
      String[] secret = lookup("auth-tls-secret", "auth-tls-secret");
      List<String> refinements =
          List.of(
              "auth-tls-verify-client",
              "auth-tls-verify-depth",
              "auth-tls-pass-certificate-to-upstream",
              "auth-tls-error-page");
      if (secret == null || secret[1].isEmpty()) {
        for (String k : refinements) {
          for (String key : List.of(PREFIX + k, NGINX + k)) {
            if (all.containsKey(key)) {
              sink.problem("UnsupportedAnnotation", key + ": ignored without auth-tls-secret");
            }
          }
        }
        return null;
      }
      String name = ownSecret(secret);
      if (name == null) {
        return null;
      }
      // auth-tls-match-cn is a REFUSED catalogue entry: the generic check refuses
      ClientAuth.Mode mode = ClientAuth.Mode.REQUIRED;
      String[] verify = lookup("auth-tls-verify-client", "auth-tls-verify-client");
      if (verify != null) {
        switch (verify[1].toLowerCase(Locale.ROOT)) {
          case "on" -> mode = ClientAuth.Mode.REQUIRED;
          case "optional" -> mode = ClientAuth.Mode.OPTIONAL;
          case "off" -> mode = ClientAuth.Mode.NONE;
          case "optional_no_ca" -> {
            sink.refuse(
                "UnsupportedAnnotation",
                verify[0],
                "\"optional_no_ca\" passes certificates nobody verified; the Ingress is not"
                    + " served (use optional or on)");
            return null;
          }
          default -> {
            sink.refuse(
                "InvalidAnnotation",
                verify[0],
                "\"" + verify[1] + "\" (expected: on, optional or off); the Ingress is not served");
            return null;
          }
        }
      }
      int depth = ClientAuth.DEFAULT_VERIFY_DEPTH;
      String[] d = lookup("auth-tls-verify-depth", "auth-tls-verify-depth");
      if (d != null) {
        if (!d[1].isEmpty()
            && d[1].length() <= 2
            && d[1].chars().allMatch(Character::isDigit)
            && Integer.parseInt(d[1]) >= 1) {
          depth = Integer.parseInt(d[1]);
        } else {
          sink.problem(
              "InvalidAnnotation",
              d[0] + ": \"" + d[1] + "\" (expected: a whole number from 1 to 99); 1 is used");
        }
      }
      String page = nginx("auth-tls-error-page");
      if (page != null) {
        sink.problem(
            "UnsupportedAnnotation",
            NGINX + "auth-tls-error-page: \"" + page + "\": " + note("auth-tls-error-page"));
      }
      boolean pass =
          bool(
              "auth-tls-pass-certificate-to-upstream",
              "auth-tls-pass-certificate-to-upstream",
              false);
      return new ClientCertSecret(secret[0], name, mode, depth, pass);
    }

    // ---- Limits

    private List<PolicySpec> limits() {
      String[] rps = lookup("limit-rps", "limit-rps");
      String[] rpm = lookup("limit-rpm", "limit-rpm");
      String[] conns = lookup("limit-connections", "limit-connections");
      for (String k : List.of("limit-rate", "limit-rate-after")) {
        if (nginx(k) != null) {
          sink.problem("UnsupportedAnnotation", NGINX + k + ": \"" + nginx(k) + "\": " + note(k));
        }
      }
      String[] exemptKv = lookup("limit-exempt", "limit-allowlist");
      if (exemptKv == null) {
        exemptKv = lookup("limit-exempt", "limit-whitelist");
      }
      String[] scopeKv = lookup("limit-scope", null);
      String[] keyKv = lookup("limit-key", null);
      String[] multKv = lookup("limit-burst-multiplier", "limit-burst-multiplier");
      if (rps == null && rpm == null && conns == null) {
        for (String[] kv : new String[][] {exemptKv, scopeKv, keyKv, multKv}) {
          if (kv != null) {
            sink.problem(
                "UnsupportedAnnotation",
                kv[0] + ": ignored without limit-rps, limit-rpm or limit-connections");
          }
        }
        return List.of();
      }
      List<String> exempt = exemptKv == null ? List.of() : cidrs(exemptKv);
      long rpsN = rps == null ? 0 : count(rps);
      long rpmN = rpm == null ? 0 : count(rpm);
      long connsN = conns == null ? 0 : count(conns);
      long mult = multKv == null ? RateLimit.DEFAULT_BURST_MULTIPLIER : count(multKv);
      if (exempt == null || rpsN < 0 || rpmN < 0 || connsN < 0 || mult < 0) {
        return List.of();
      }
      if (multKv != null && mult == 0) {
        sink.refuse(
            "InvalidAnnotation",
            multKv[0],
            "\"0\" (expected: 1 or more); the Ingress is not served");
        return List.of();
      }
      RateLimit.Scope scope = RateLimit.Scope.LOCAL;
      if (scopeKv != null) {
        switch (scopeKv[1].toLowerCase(Locale.ROOT)) {
          case "local" -> scope = RateLimit.Scope.LOCAL;
          case "global" -> scope = RateLimit.Scope.GLOBAL;
          default -> {
            sink.refuse(
                "InvalidAnnotation",
                scopeKv[0],
                "\"" + scopeKv[1] + "\" (expected: local or global); the Ingress is not served");
            return List.of();
          }
        }
        if (rpsN == 0 && rpmN == 0) {
          sink.problem(
              "UnsupportedAnnotation",
              scopeKv[0]
                  + ": ignored without limit-rps or limit-rpm (limit-connections is per node)");
        }
      }
      LimitKey key = LimitKey.CLIENT_ADDRESS;
      if (keyKv != null) {
        key = limitKey(keyKv);
        if (key == null) {
          return List.of();
        }
      }
      List<PolicySpec> out = new ArrayList<>();
      // ingress-nginx applies both when both are set; each counts on its own
      if (rpsN > 0) {
        out.add(
            new RateLimit("rps", key, rpsN, RateLimit.SECOND, burst(rpsN, mult), scope, exempt));
      }
      if (rpmN > 0) {
        out.add(
            new RateLimit("rpm", key, rpmN, RateLimit.MINUTE, burst(rpmN, mult), scope, exempt));
      }
      if (connsN > 0) {
        out.add(new ConnectionLimit(key, (int) Math.min(connsN, Integer.MAX_VALUE), exempt));
      }
      return out;
    }

    /**
     * ingress-nginx's (since removed) memcached limit, {@code global-rate-limit: N} per {@code
     * global-rate-limit-window}: Gatehouse's cluster-wide limit needs no memcached. nginx counts in
     * fixed windows; Gatehouse keeps a token bucket of the same average rate per minute (rounded
     * down: never more than asked) with the window's limit as its burst, which also closes the
     * double allowance a fixed window gives across its boundary.
     */
    private @Nullable RateLimit nginxGlobalLimit() {
      String limit = nginx("global-rate-limit");
      List<String> refinements =
          List.of(
              "global-rate-limit-window",
              "global-rate-limit-key",
              "global-rate-limit-ignored-cidrs");
      if (limit == null) {
        for (String k : refinements) {
          if (nginx(k) != null) {
            sink.problem(
                "UnsupportedAnnotation", NGINX + k + ": ignored without global-rate-limit");
          }
        }
        return null;
      }
      long n = count(new String[] {NGINX + "global-rate-limit", limit.trim()});
      if (n <= 0) {
        return null; // refused above, or 0: off
      }
      String w = nginx("global-rate-limit-window");
      Duration window = w == null ? null : nginxTime(w.trim());
      if (window == null
          || window.toSeconds() < 1
          || window.toSeconds() > 3600
          || window.toMillis() % 1000 != 0) {
        sink.refuse(
            "InvalidAnnotation",
            NGINX + "global-rate-limit-window",
            "\""
                + (w == null ? "" : w)
                + "\" (expected: whole seconds from 1s to 1h, such as 1m); the Ingress is not"
                + " served rather than without its limit");
        return null;
      }
      long seconds = window.toSeconds();
      Duration per = seconds == 1 ? RateLimit.SECOND : RateLimit.MINUTE;
      long requests = seconds == 1 ? n : n * 60 / seconds;
      if (requests < 1) {
        sink.refuse(
            "InvalidAnnotation",
            NGINX + "global-rate-limit",
            "\""
                + limit
                + "\" per "
                + w
                + " is less than 1 request a minute; the Ingress is not served");
        return null;
      }
      String k = nginx("global-rate-limit-key");
      LimitKey key = LimitKey.CLIENT_ADDRESS;
      if (k != null
          && !k.trim().equals("$remote_addr")
          && !k.trim().equals("$binary_remote_addr")) {
        Matcher m = NGINX_HEADER_VAR.matcher(k.trim());
        if (!m.matches()) {
          sink.refuse(
              "InvalidAnnotation",
              NGINX + "global-rate-limit-key",
              "\""
                  + k
                  + "\" (expected: $remote_addr or one $http_NAME variable); the Ingress is not"
                  + " served");
          return null;
        }
        key = new LimitKey(LimitKey.Kind.HEADER, m.group(1).replace('_', '-'));
      }
      String ignored = nginx("global-rate-limit-ignored-cidrs");
      List<String> exempt =
          ignored == null
              ? List.of()
              : cidrs(new String[] {NGINX + "global-rate-limit-ignored-cidrs", ignored.trim()});
      if (exempt == null) {
        return null;
      }
      return new RateLimit("global", key, requests, per, n, RateLimit.Scope.GLOBAL, exempt);
    }

    private static long burst(long rate, long multiplier) {
      try {
        return Math.multiplyExact(rate, multiplier);
      } catch (ArithmeticException e) {
        return Long.MAX_VALUE;
      }
    }

    /** A whole number 0 to 1e9 ({@code 0}: off, as ingress-nginx); -1 (refused) otherwise. */
    private long count(String[] kv) {
      String v = kv[1];
      if (!v.isEmpty() && v.length() <= 9 && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return Long.parseLong(v);
      }
      sink.refuse(
          "InvalidAnnotation",
          kv[0],
          "\""
              + v
              + "\" (expected: a whole number); the Ingress is not served rather than"
              + " without its limit");
      return -1;
    }

    private @Nullable LimitKey limitKey(String[] kv) {
      String v = kv[1];
      int colon = v.indexOf(':');
      String kind = (colon < 0 ? v : v.substring(0, colon)).toLowerCase(Locale.ROOT);
      String name = colon < 0 ? null : v.substring(colon + 1).trim();
      LimitKey key =
          switch (kind) {
            case "client-address" -> name == null ? LimitKey.CLIENT_ADDRESS : null;
            case "route" -> name == null ? new LimitKey(LimitKey.Kind.ROUTE, null) : null;
            case "tenant" -> name == null ? new LimitKey(LimitKey.Kind.TENANT, null) : null;
            case "header" ->
                name != null && RouteValidator.TOKEN.matcher(name).matches()
                    ? new LimitKey(LimitKey.Kind.HEADER, name.toLowerCase(Locale.ROOT))
                    : null;
            case "claim" ->
                name != null && !name.isEmpty() ? new LimitKey(LimitKey.Kind.CLAIM, name) : null;
            default -> null;
          };
      if (key == null) {
        sink.refuse(
            "InvalidAnnotation",
            kv[0],
            "\""
                + v
                + "\" (expected: client-address, header:NAME, claim:NAME, route or tenant); the"
                + " Ingress is not served");
        return null;
      }
      if (key.kind() == LimitKey.Kind.CLAIM && lookup("jwt-jwks-uri", null) == null) {
        sink.refuse(
            "InvalidAnnotation",
            kv[0],
            "\""
                + v
                + "\" needs gatehouse.io/jwt-jwks-uri (a claim is read from a verified"
                + " token); the Ingress is not served");
        return null;
      }
      return key;
    }

    // ---- JWT

    private @Nullable JwtAuth jwt() {
      String[] uri = lookup("jwt-jwks-uri", null);
      if (uri == null) {
        for (String k : KNOWN) {
          if (k.startsWith("jwt-") && all.containsKey(PREFIX + k)) {
            sink.problem("UnsupportedAnnotation", PREFIX + k + ": ignored without jwt-jwks-uri");
          }
        }
        return null;
      }
      String problem = urlProblem(uri[1]);
      if (problem != null) {
        sink.refuse(
            "InvalidAnnotation",
            uri[0],
            "\"" + uri[1] + "\" (expected: " + problem + "); the Ingress is not served");
        return null;
      }
      List<String> algorithms = list("jwt-algorithms", JwtAuth.DEFAULT_ALGORITHMS);
      for (String a : algorithms) {
        if (!JWT_ALGORITHMS.contains(a)) {
          sink.refuse(
              "InvalidAnnotation",
              PREFIX + "jwt-algorithms",
              "\""
                  + a
                  + "\" (expected: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512"
                  + " or EdDSA: never none, and HMAC only with inline keys, which annotations do"
                  + " not carry); the Ingress is not served");
          return null;
        }
      }
      String[] issuer = lookup("jwt-issuer", null);
      List<JwtAuth.ClaimHeader> claimHeaders = new ArrayList<>();
      for (String pair : list("jwt-claim-headers", List.of())) {
        int eq = pair.indexOf('=');
        String claim = eq < 0 ? "" : pair.substring(0, eq).trim();
        String header = eq < 0 ? "" : pair.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
        if (claim.isEmpty() || !RouteValidator.TOKEN.matcher(header).matches()) {
          sink.refuse(
              "InvalidAnnotation",
              PREFIX + "jwt-claim-headers",
              "\""
                  + pair
                  + "\" (expected: claim=header-name, comma-separated); the Ingress is not"
                  + " served");
          return null;
        }
        claimHeaders.add(new JwtAuth.ClaimHeader(claim, header));
      }
      String[] header = lookup("jwt-header", null);
      String[] cookie = lookup("jwt-cookie", null);
      return new JwtAuth(
          uri[1],
          null,
          algorithms,
          issuer == null || issuer[1].isEmpty() ? null : issuer[1],
          list("jwt-audiences", List.of()),
          duration("jwt-clock-skew", null, JwtAuth.DEFAULT_CLOCK_SKEW, Duration.ofMinutes(5)),
          list("jwt-required-claims", List.of()),
          claimHeaders,
          bool("jwt-forward-token", null, false),
          header == null ? JwtAuth.DEFAULT_HEADER : header[1].toLowerCase(Locale.ROOT),
          cookie == null || cookie[1].isEmpty() ? null : cookie[1],
          duration("jwt-jwks-cache-duration", null, JwtAuth.DEFAULT_JWKS_CACHE, Duration.ofDays(1)),
          duration(
              "jwt-jwks-min-refetch", null, JwtAuth.DEFAULT_JWKS_MIN_REFETCH, Duration.ofHours(1)),
          duration("jwt-jwks-timeout", null, JwtAuth.DEFAULT_JWKS_TIMEOUT, Duration.ofSeconds(60)));
    }

    // ---- Values

    private List<String> list(String own, List<String> dflt) {
      String[] kv = lookup(own, null);
      if (kv == null) {
        return dflt;
      }
      List<String> out = new ArrayList<>();
      for (String item : kv[1].split(",", -1)) {
        if (!item.isBlank() && !out.contains(item.trim())) {
          out.add(item.trim());
        }
      }
      return out;
    }

    /**
     * A duration: a Go-style one for {@code gatehouse.io/} keys; {@code dflt} (with a warning) when
     * malformed, zero or above {@code max}.
     */
    private Duration duration(String own, @Nullable String nginxName, Duration dflt, Duration max) {
      String[] kv = lookup(own, nginxName);
      if (kv == null) {
        return dflt;
      }
      Duration d = IngressAnnotations.goDuration(kv[1]);
      if (d == null || d.isZero() || d.compareTo(max) > 0) {
        sink.problem(
            "InvalidAnnotation",
            kv[0]
                + ": \""
                + kv[1]
                + "\" (expected: a duration such as 500ms, 5s, 2m, up to "
                + max
                + "); the default is used");
        return dflt;
      }
      return d;
    }

    private boolean bool(String own, @Nullable String nginxName, boolean dflt) {
      String[] kv = lookup(own, nginxName);
      if (kv == null) {
        return dflt;
      }
      if (kv[1].equalsIgnoreCase("true")) {
        return true;
      }
      if (kv[1].equalsIgnoreCase("false")) {
        return false;
      }
      sink.problem(
          "InvalidAnnotation",
          kv[0] + ": \"" + kv[1] + "\" (expected: true or false); the default is used");
      return dflt;
    }

    private @Nullable String nginx(String name) {
      return all.get(NGINX + name);
    }

    /** The gatehouse.io value, else the nginx one, trimmed, as {key, value}; null when neither. */
    private String @Nullable [] lookup(String own, @Nullable String nginxName) {
      String v = all.get(PREFIX + own);
      if (v != null) {
        return new String[] {PREFIX + own, v.trim()};
      }
      String n = nginxName == null ? null : all.get(NGINX + nginxName);
      return n == null ? null : new String[] {NGINX + nginxName, n.trim()};
    }
  }
}
