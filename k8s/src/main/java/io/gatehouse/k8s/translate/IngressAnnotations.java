package io.gatehouse.k8s.translate;

import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.OTHER;
import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.ROUTING;
import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.SECURITY;
import static io.gatehouse.k8s.translate.NginxAnnotation.different;
import static io.gatehouse.k8s.translate.NginxAnnotation.same;

import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CanaryRule;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Limits;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.policy.Compression;
import io.gatehouse.model.policy.Cors;
import io.gatehouse.model.policy.ErrorPages;
import io.gatehouse.model.policy.PathModifier;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.RequestRedirect;
import io.gatehouse.model.policy.SessionPersistence;
import io.gatehouse.model.policy.URLRewrite;
import io.gatehouse.validate.CorsValidator;
import io.gatehouse.validate.RouteValidator;
import io.gatehouse.validate.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The annotations Gatehouse reads, parsed into one typed record per Ingress. Each {@code
 * gatehouse.io/} key has an ingress-nginx equivalent mapped onto the same field; when both are set
 * the {@code gatehouse.io/} one wins.
 *
 * <pre>
 * gatehouse.io/                 nginx.ingress.kubernetes.io/    model
 * ssl-redirect: true|false      ssl-redirect                    TlsSpec.redirect (308 | off)
 * backend-protocol: HTTP|H2C|GRPC|HTTPS|GRPCS  backend-protocol  the protocol and TLS, see UpstreamTlsAnnotations
 * connect-timeout: 5s           proxy-connect-timeout: 5 (s)    Timeouts.connect
 * response-timeout: 15s         proxy-read-timeout: 15 (s)      Timeouts.response and bodyIdle
 * body-idle-timeout: 60s        -                               Timeouts.bodyIdle
 * request-timeout: 300s (0=off) -                               Timeouts.request
 * max-body-size: 8m (0=none)    proxy-body-size                 Limits.maxRequestBodyBytes
 * max-response-header-size: 128k  proxy-buffer-size             Limits.maxResponseHeaderBytes
 * use-regex: true|false         use-regex                       every path of the host: ~* "^PATH"
 * load-balance, hash-on, health-check-*, outlier-*, max-*, retry-*, affinity, session-cookie-*,
 *   upstream-hash-by, proxy-next-upstream*: the backend policy and Retry, see ResilienceAnnotations
 * rewrite-target: /$2           rewrite-target                  URLRewrite regex (see below)
 * x-forwarded-prefix: /api      x-forwarded-prefix              URLRewrite.forwardedPrefix
 * upstream-vhost: b.internal    upstream-vhost                  URLRewrite.hostname
 * permanent-redirect: URL       permanent-redirect              RequestRedirect.url (301)
 * permanent-redirect-code: 308  permanent-redirect-code         its status
 * temporal-redirect: URL        temporal-redirect               RequestRedirect.url (302)
 * temporal-redirect-code: 307   temporal-redirect-code          its status
 * app-root: /app1               app-root                        RequestRedirect rootOnly, 302
 * from-to-www-redirect: true    from-to-www-redirect            a route for the other name, 308
 * enable-cors: true|false       enable-cors                     policy CORS (below)
 * cors-allow-origin             cors-allow-origin               Cors.allowOrigins
 * cors-allow-methods            cors-allow-methods              Cors.allowMethods
 * cors-allow-headers            cors-allow-headers              Cors.allowHeaders
 * cors-expose-headers           cors-expose-headers             Cors.exposeHeaders
 * cors-allow-credentials        cors-allow-credentials          Cors.allowCredentials
 * cors-max-age: 1728000 (s)     cors-max-age                    Cors.maxAge
 * compression: br,gzip | on     - (ConfigMap use-gzip/use-brotli only)  a Compression policy
 * compression-types: text/*,...  -                               Compression.contentTypes
 * compression-min-bytes: 1k     -                               Compression.minBytes
 * compression-gzip-level: 1-9   -                               Compression.levels.gzip
 * compression-br-level: 0-11    -                               Compression.levels.br
 * compression-zstd-level: 1-9   -                               Compression.levels.zstd
 * session-cookie-name: NAME     - (see affinity: cookie below)  a SessionPersistence policy
 * session-cookie-max-age: 48h   -                               SessionPersistence.absoluteTimeout
 * session-cookie-path: /        -                               SessionPersistence.path
 * session-cookie-secure: true   -                               SessionPersistence.secure
 * session-cookie-samesite: Lax  -                               SessionPersistence.sameSite
 * mirror-target: URL            mirror-target                   policy RequestMirror (below)
 * mirror-request-body: on|off   mirror-request-body             RequestMirror.requestBody
 * mirror-host: shadow.internal  mirror-host                     RequestMirror.hostname
 * mirror-percent: 0-100         -                               RequestMirror percent
 * error-pages-codes: 404,503    custom-http-errors              ErrorPages.codes
 * error-pages-backend: svc[:port]  default-backend (svc)         ErrorPages.backend (Service)
 * error-pages-page: TEXT        -                               ErrorPages.page
 * error-pages-content-type      -                               ErrorPages.contentType
 * </pre>
 *
 * <p>Sticky splits: {@code session-cookie-name} on the primary Ingress makes its routes' split (the
 * primary and its canary) sticky per client by that cookie; the canary's header and cookie rules
 * still come first, and the sticky cookie fixes only the weight draw (ingress-nginx's {@code
 * affinity-canary-behavior: sticky} puts affinity before the canary rules; Gatehouse keeps the
 * rules first, and a canary rule's request gets no sticky cookie). ingress-nginx's {@code affinity:
 * cookie} pins an endpoint (a pod) by its own {@code session-cookie-*} keys: the backend's cookie
 * affinity ({@link ResilienceAnnotations}); without it those keys are ignored with a warning.
 *
 * <p>Rewrites and redirects as ingress-nginx documents them. {@code rewrite-target} implies {@code
 * use-regex} (an ImplementationSpecific path is an RE2 expression) and becomes nginx's {@code
 * rewrite "(?i)PATH" TARGET}: when the path's expression is found in the request path, the whole
 * path becomes the target with its {@code $1}... filled from the expression's groups; it takes the
 * path of each route of the Ingress. A target naming an nginx variable ({@code $scheme}), holding a
 * query, or any expression RE2 cannot compile makes that route invalid (not served). {@code
 * x-forwarded-prefix} and {@code upstream-vhost} (a host name, no port) join the same URLRewrite. A
 * fixed redirect is answered on every path of the Ingress without its path or query; its code must
 * be 301, 302, 303, 307 or 308 (300, 304 to 306 refuse the Ingress; anything else is reported and
 * the default used, as ingress-nginx does). With both {@code permanent-redirect} and {@code
 * temporal-redirect}, the temporal one wins with a warning, as in ingress-nginx; either beside
 * {@code app-root}, or a redirect together with a rewrite (Gateway API: not both on one route),
 * refuses the Ingress. {@code from-to-www-redirect}, {@code server-alias}, {@code
 * force-ssl-redirect} and the regex paths of a host: {@link HostAnnotations} and the translator.
 *
 * <p>CORS, as ingress-nginx: off unless {@code enable-cors: "true"}; then each setting takes
 * ingress-nginx's default when absent or invalid (invalid ones with a warning): origin {@code *},
 * methods {@value #CORS_METHODS}, headers {@value #CORS_HEADERS}, no exposed headers, credentials
 * true, max age {@value #CORS_MAX_AGE} s. {@code cors-allow-origin} is a comma list of {@code
 * http(s)://host[:port]} whose host may start with {@code *.}, which stands for one DNS label as in
 * ingress-nginx (the origin becomes an RE2 pattern, {@link #wildcardPattern}; at most 16); {@code
 * *} anywhere in it means every origin; an invalid entry is dropped with a warning, and when none
 * is left no CORS policy is applied (browsers then refuse cross-origin reads: closed, not open).
 * Credentials with every origin: ingress-nginx sends {@code Access-Control-Allow-Origin: *} with
 * {@code -Allow-Credentials: true}, which browsers refuse for a credentialed request and accept for
 * another; Gatehouse serves the same outcome as every origin without credentials (its validator
 * refuses the pair), with a warning when credentials were asked for explicitly. {@code cors-*} keys
 * without {@code enable-cors: "true"} are ignored with a warning.
 *
 * <p>ingress-nginx compresses per controller (its ConfigMap's {@code use-gzip}, {@code
 * use-brotli}), never per Ingress, so compression has only the {@code gatehouse.io/} keys: {@code
 * compression} lists the algorithms in order of preference ({@code on} or {@code true}: br then
 * gzip; {@code off} or {@code false}: none), the other keys refine it and are ignored with a
 * warning without it. {@code zstd} is served when listed ({@code on} does not list it). The policy
 * is validated with the route: a coding Gatehouse cannot serve ({@code deflate}) or a malformed
 * type makes the route invalid, reported and not served.
 *
 * <p>No annotation text is ever read for header variables ({@code ${request.id}}...): the values of
 * the ConfigMap {@code custom-headers} names become a ResponseHeaders policy with every '$' escaped
 * ({@link ProxyAnnotations}), snippets ({@code more_set_headers}) are refused, and the texts that
 * do reach a header ({@code x-forwarded-prefix}, the {@code cors-*} lists) are sent as written.
 *
 * <p>Mirroring as ingress-nginx documents it: {@code mirror-target} is {@code
 * http(s)://HOST[:PORT]$request_uri} (or {@code .../$request_uri}, ingress-nginx's own example,
 * whose doubled slash Gatehouse does not send): every request of the Ingress is copied to that
 * endpoint with its own URI, the copy's answer ignored. {@code https} reaches the endpoint over TLS
 * verified against the JDK's CAs. The copy's Host is the target's host unless {@code mirror-host}
 * names another (a target given as an IP address keeps the client's Host: Gatehouse sends no IP
 * address as Host). {@code mirror-request-body: off} sends copies without the body. Gatehouse's
 * {@code mirror-percent} copies that share of the requests (ingress-nginx copies all). A target
 * with any other nginx variable, a path, a query or user info cannot mean here what it means in
 * nginx, so it refuses the Ingress; {@code mirror-*} keys without a target are ignored with a
 * warning. Unlike ingress-nginx's, a slow mirror never slows the client: copies are
 * fire-and-forget, at most {@value RequestMirror#DEFAULT_MAX_IN_FLIGHT} open per route and node,
 * bodies above 1 MiB not copied. The target's host is held to the same upstream policy as an
 * ExternalName (the translator refuses, for instance, a link-local or loopback address).
 *
 * <p>Error pages, as ingress-nginx's {@code custom-http-errors} with {@code default-backend}: the
 * listed statuses of the route (its backend's answers and Gatehouse's own 502, 503, 504...) keep
 * their status and get the page a Service of the Ingress's namespace answers to a {@code GET} with
 * {@code X-Code}, {@code X-Format}, {@code X-Original-URI}... ({@code default-backend} names the
 * Service; the translator takes its first port, as ingress-nginx does; {@code
 * gatehouse.io/error-pages-backend} may name the port, {@code svc:80} or {@code svc:http}), or
 * {@code error-pages-page}, sent as it is. {@code default-backend} without {@code
 * custom-http-errors}: ingress-nginx sends it the requests of a Service without endpoints, so
 * Gatehouse replaces the route's 503 with its page. {@code custom-http-errors} without a backend or
 * a page (ingress-nginx then uses its controller-wide default backend, which Gatehouse does not
 * have per Ingress) and page keys without codes are ignored with a warning; a code that is not a
 * whole number from 400 to 599 is dropped with a warning.
 *
 * <p>Refused, and the Ingress is then not served at all (fail closed: serving it without them would
 * change what the backend receives or who may reach it): FCGI and AJP backend protocols, the
 * redirect combinations above, every {@code *-snippet} (never interpreted), an access-control
 * annotation ({@code auth-*}, {@code *-source-range}, {@code limit-*}) that cannot be honoured, and
 * any {@code auth-*} or {@code *-source-range} key Gatehouse does not know ({@link
 * AccessAnnotations}). Any other {@code nginx.ingress.kubernetes.io/} key is ignored with a
 * warning; an unknown {@code gatehouse.io/} key (a typo, most likely) too.
 *
 * <p>Canaries, as ingress-nginx: {@code canary: "true"} makes the Ingress a {@link Canary} that
 * takes {@code canary-weight} (0 to {@code canary-weight-total}, default 0) out of {@code
 * canary-weight-total} (default 100) of the requests of the Ingress it matches, and, before the
 * weights, the requests its {@code canary-by-header} (with {@code canary-by-header-value} or {@code
 * canary-by-header-pattern}) and {@code canary-by-cookie} send to it ({@link CanaryRule}, same
 * meaning and precedence: header, then cookie, then weight). A canary's other annotations are
 * ignored with a warning (the primary Ingress's apply), except the refused ones above, which still
 * refuse it. Ignored with a warning, as ingress-nginx ignores them: {@code canary-by-header-value}
 * or {@code -pattern} without {@code canary-by-header}, {@code -pattern} beside {@code -value}.
 * Refused canaries (not served; the primary keeps all the traffic): a header or cookie name that is
 * not a token, a header value with control characters, a pattern RE2 cannot express (PCRE's
 * lookaround, backreferences, possessive quantifiers...: ingress-nginx matches with PCRE, and a
 * pattern served differently would send other requests to the canary), a weight or total that is
 * not a whole number, a negative weight, a weight above the total, a total of 0 or above {@value
 * RouteValidator#MAX_WEIGHT}. {@code canary-*} keys on an Ingress that is not a canary are ignored
 * with a warning, as ingress-nginx ("configured but not enabled").
 *
 * <p>The outcome of every {@code nginx.ingress.kubernetes.io/} annotation (mapped, mapped with a
 * difference, refused) is its {@link NginxCatalogue} entry, rendered as the table of {@code
 * docs/ingress-nginx.md} (a test keeps the two equal and audits each entry against this parser):
 * read it there rather than here.
 *
 * @param canary the weights of a canary Ingress that is served; null for an Ingress that is not a
 *     canary, and for a refused canary
 */
public record IngressAnnotations(
    UpstreamProtocol protocol,
    boolean sslRedirect,
    Timeouts timeouts,
    Limits limits,
    boolean useRegex,
    @Nullable Canary canary,
    boolean refused,
    List<IngressProblem> problems,
    List<PolicySpec> policies,
    boolean fromToWww,
    @Nullable BackendPolicy backendPolicy,
    AccessAnnotations.Result access,
    ClientAuth clientAuth,
    UpstreamTlsAnnotations.Result upstreamTls,
    HostAnnotations.Result hosts,
    ProxyAnnotations.Result proxy) {
  public static final String PREFIX = "gatehouse.io/";
  public static final String NGINX = "nginx.ingress.kubernetes.io/";

  private static final Pattern GO_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  /**
   * The pattern of a {@code rewrite-target} URLRewrite before the translator puts each route's own
   * path expression in its place ({@link #rewritePattern}).
   */
  public static final String REWRITE_PATH = "$ingress-path";

  /** ingress-nginx's default {@code cors-allow-methods}. */
  public static final String CORS_METHODS = "GET, PUT, POST, DELETE, PATCH, OPTIONS";

  /** ingress-nginx's default {@code cors-allow-headers}. */
  public static final String CORS_HEADERS =
      "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,"
          + "Range,Authorization";

  /** ingress-nginx's default {@code cors-max-age}, in seconds (20 days). */
  public static final int CORS_MAX_AGE = 1_728_000;

  /** The default of {@code canary-weight-total}. */
  public static final int DEFAULT_CANARY_TOTAL = 100;

  /**
   * The catalogue entries of the annotations this parser serves ({@link NginxCatalogue}); each
   * entry's outcome and note say what {@link Parser} does with it.
   */
  static final List<NginxAnnotation> CATALOGUE =
      List.of(
          same("ssl-redirect", "Rewrite", SECURITY, "false"),
          same(
              "proxy-connect-timeout",
              "Proxy",
              OTHER,
              "whole seconds (Gatehouse also reads 5s); the default is 5 s in both",
              Map.of("proxy-connect-timeout", "7")),
          different(
              "proxy-read-timeout",
              "Proxy",
              OTHER,
              "the longest wait for the backend between two reads, as nginx; without"
                  + " proxy-send-timeout it also bounds the client's pauses while sending the body;"
                  + " Gatehouse's default is 15 s where ingress-nginx's is 60 s",
              "30"),
          different(
              "proxy-send-timeout",
              "Proxy",
              OTHER,
              "Gatehouse streams the request body, so it bounds how long the client may pause while"
                  + " sending it (its body-idle timeout), which is when nginx's writes to the backend"
                  + " stall; the default is 60 s in both",
              "30"),
          same(
              "proxy-body-size",
              "Proxy",
              SECURITY,
              "0 means no limit; Gatehouse's default without it is 10m where ingress-nginx's is 1m",
              Map.of("proxy-body-size", "2m")),
          different(
              "use-regex",
              "Rewrite",
              ROUTING,
              "as ingress-nginx, once an Ingress of a host uses regex (or rewrite-target), every"
                  + " path of that host, from every Ingress, is a case-insensitive regular expression"
                  + " matched from the path's start; expressions are RE2 (a path with PCRE's"
                  + " lookaround or backreferences is not served); the longest path is tried first,"
                  + " as ingress-nginx, but paths of equal length in route-name order",
              "true"),
          different(
              "rewrite-target",
              "Rewrite",
              ROUTING,
              "implies use-regex; the target may use $1...$9 of the path's groups (RE2); a target"
                  + " naming an nginx variable or holding a query makes the path not served",
              Map.of("rewrite-target", "/$2")),
          same("x-forwarded-prefix", "XForwardedPrefix", ROUTING, "/api"),
          different(
              "upstream-vhost",
              "UpstreamVhost",
              ROUTING,
              "a host name only: nginx variables ($host...) are not evaluated, and a value that is"
                  + " not a host name makes the Ingress's paths not served",
              "b.internal"),
          different(
              "permanent-redirect",
              "Redirect",
              ROUTING,
              "refused beside app-root or rewrite-target; beside temporal-redirect it is ignored"
                  + " with a warning, as ingress-nginx lets temporal-redirect win",
              "https://b.example/"),
          different(
              "permanent-redirect-code",
              "Redirect",
              ROUTING,
              "300 and 304 to 306, which ingress-nginx sends though they are no redirects, refuse"
                  + " the Ingress; other codes outside 300-308 take the default 301, as ingress-nginx",
              Map.of("permanent-redirect", "https://b.example/", "permanent-redirect-code", "308")),
          different(
              "temporal-redirect",
              "Redirect",
              ROUTING,
              "refused beside app-root or rewrite-target; it wins over permanent-redirect, as"
                  + " ingress-nginx",
              "https://b.example/"),
          different(
              "temporal-redirect-code",
              "Redirect",
              ROUTING,
              "300 and 304 to 306 refuse the Ingress; other codes outside 300-308 take the default"
                  + " 302, as ingress-nginx",
              Map.of("temporal-redirect", "https://b.example/", "temporal-redirect-code", "307")),
          same(
              "app-root",
              "Rewrite",
              ROUTING,
              "a request for exactly / is redirected (302) to the path",
              Map.of("app-root", "/app1")),
          different(
              "from-to-www-redirect",
              "Redirect",
              ROUTING,
              "the other name (www. added or removed) is redirected (308) to the rule's host unless"
                  + " an Ingress has a rule for it, as ingress-nginx; over HTTPS only when the tls"
                  + " section lists the other name",
              "true"),
          different(
              "mirror-target",
              "Mirror",
              ROUTING,
              "only http(s)://HOST[:PORT]$request_uri (another variable, a path or a query refuses"
                  + " the Ingress); copies are fire-and-forget, so a slow mirror never slows the"
                  + " client, and bodies above 1 MiB are not copied",
              "https://shadow.example$request_uri"),
          same(
              "mirror-request-body",
              "Mirror",
              ROUTING,
              "",
              Map.of(
                  "mirror-target", "https://shadow.example$request_uri",
                  "mirror-request-body", "off")),
          same(
              "mirror-host",
              "Mirror",
              ROUTING,
              "",
              Map.of(
                  "mirror-target", "https://shadow.example$request_uri",
                  "mirror-host", "other.example")),
          different(
              "custom-http-errors",
              "CustomHTTPErrors",
              OTHER,
              "needs default-backend: without it (ingress-nginx then uses its controller-wide"
                  + " default backend) it is ignored with a warning",
              Map.of("custom-http-errors", "404,503", "default-backend", "errors")),
          different(
              "default-backend",
              "DefaultBackend",
              ROUTING,
              "the Service's first port; when the route's Service has no endpoint, the request is"
                  + " not proxied to it: its answer to a GET with X-Code and X-Original-URI replaces"
                  + " the 503",
              "errors"),
          different(
              "enable-cors",
              "CorsConfig",
              SECURITY,
              "with every origin (the default), credentials are not allowed: ingress-nginx sends"
                  + " '*' with credentials, which browsers refuse for a credentialed request",
              "true"),
          same(
              "cors-allow-origin",
              "CorsConfig",
              SECURITY,
              "http(s)://host[:port] or '*'; *.host stands for one DNS label, as ingress-nginx (at"
                  + " most 16 such origins); an invalid origin is dropped with a warning",
              Map.of("enable-cors", "true", "cors-allow-origin", "https://a.example")),
          same(
              "cors-allow-methods",
              "CorsConfig",
              SECURITY,
              "",
              Map.of("enable-cors", "true", "cors-allow-methods", "GET, POST")),
          same(
              "cors-allow-headers",
              "CorsConfig",
              SECURITY,
              "",
              Map.of("enable-cors", "true", "cors-allow-headers", "X-A")),
          different(
              "cors-expose-headers",
              "CorsConfig",
              SECURITY,
              "'*' beside credentials (allowed by default) exposes no header: ingress-nginx sends"
                  + " it, which browsers read as a literal name for a credentialed request and as"
                  + " every header for another",
              Map.of("enable-cors", "true", "cors-expose-headers", "X-B")),
          different(
              "cors-allow-credentials",
              "CorsConfig",
              SECURITY,
              "\"true\" (the default) is not applied with every origin ('*'), which browsers"
                  + " refuse with credentials: list the origins to allow them",
              Map.of(
                  "enable-cors",
                  "true",
                  "cors-allow-origin",
                  "https://a.example",
                  "cors-allow-credentials",
                  "false")),
          same(
              "cors-max-age",
              "CorsConfig",
              OTHER,
              "",
              Map.of("enable-cors", "true", "cors-max-age", "600")),
          different(
              "canary",
              "Canary",
              ROUTING,
              "the canary joins the primary's route on its host only (ingress-nginx attaches it to"
                  + " the Service's upstream, so to every host using it); with a sticky session"
                  + " cookie the header and cookie rules still come first",
              "true"),
          same(
              "canary-weight",
              "Canary",
              ROUTING,
              "",
              Map.of("canary", "true", "canary-weight", "20")),
          same(
              "canary-weight-total",
              "Canary",
              ROUTING,
              "",
              Map.of("canary", "true", "canary-weight", "20", "canary-weight-total", "1000")),
          same(
              "canary-by-header",
              "Canary",
              ROUTING,
              "",
              Map.of("canary", "true", "canary-by-header", "X-Canary")),
          same(
              "canary-by-header-value",
              "Canary",
              ROUTING,
              "",
              Map.of(
                  "canary",
                  "true",
                  "canary-by-header",
                  "X-Canary",
                  "canary-by-header-value",
                  "yes")),
          different(
              "canary-by-header-pattern",
              "Canary",
              ROUTING,
              "RE2, not PCRE: a pattern RE2 cannot express (lookaround, backreferences) refuses the"
                  + " canary",
              Map.of(
                  "canary",
                  "true",
                  "canary-by-header",
                  "X-Canary",
                  "canary-by-header-pattern",
                  "^(a|b)$")),
          same(
              "canary-by-cookie",
              "Canary",
              ROUTING,
              "",
              Map.of("canary", "true", "canary-by-cookie", "canary")));

  public IngressAnnotations {
    problems = List.copyOf(problems);
    policies = List.copyOf(policies);
  }

  /**
   * These annotations once the translator has read the Secrets {@link #access} names: {@code
   * accessPolicies} (in evaluation order) ahead of the other policies, and the client certificates
   * of the routes' HTTPS hosts.
   */
  IngressAnnotations resolved(List<PolicySpec> accessPolicies, ClientAuth resolvedClientAuth) {
    List<PolicySpec> all = new ArrayList<>(accessPolicies);
    all.addAll(policies);
    return new IngressAnnotations(
        protocol,
        sslRedirect,
        timeouts,
        limits,
        useRegex,
        canary,
        refused,
        problems,
        all,
        fromToWww,
        backendPolicy,
        AccessAnnotations.Result.NONE,
        resolvedClientAuth,
        upstreamTls,
        hosts,
        proxy);
  }

  /** These annotations with {@code policy} after their policies (the translator's additions). */
  IngressAnnotations withPolicy(PolicySpec policy) {
    List<PolicySpec> all = new ArrayList<>(policies);
    all.add(policy);
    return new IngressAnnotations(
        protocol,
        sslRedirect,
        timeouts,
        limits,
        useRegex,
        canary,
        refused,
        problems,
        all,
        fromToWww,
        backendPolicy,
        access,
        clientAuth,
        upstreamTls,
        hosts,
        proxy);
  }

  /** A Go-style duration ({@code 1m30s}, {@code 500ms}) or {@code 0}; null when malformed. */
  static @Nullable Duration goDuration(String v) {
    return Parser.goDuration(v);
  }

  /**
   * The RE2 pattern of a wildcard origin {@code scheme://*.rest} (normalised by {@link
   * CorsValidator#origin}), with ingress-nginx's meaning: its template quotes the origin and puts
   * {@code [A-Za-z0-9\-]+} for the '*', one DNS label, and matches case-insensitively; so {@code
   * https://*.example.com} allows {@code https://app.example.com}, not {@code
   * https://a.b.example.com}, {@code https://example.com} or another port. The pattern matches the
   * whole origin (ingress-nginx anchors its end only; a browser's origin has nothing before the
   * scheme).
   */
  public static String wildcardPattern(String origin) {
    int star = origin.indexOf("://*.");
    return "(?i)"
        + origin.substring(0, star)
        + "://[A-Za-z0-9-]+"
        + origin.substring(star + 4).replace(".", "\\.");
  }

  /** The routes' path expression, for {@code rewrite-target}'s regex: ingress-nginx's form. */
  public static String rewritePattern(String ingressPath) {
    return "(?i)" + ingressPath;
  }

  /**
   * A canary: the requests {@code rule} sends to it (none when null), then {@code weight} of {@code
   * total} of the others of the primary's route go to the canary's backend, the rest to the
   * primary's. {@code 0 <= weight <= total}, {@code 1 <= total <= MAX_WEIGHT}.
   */
  public record Canary(int weight, int total, @Nullable CanaryRule rule) {
    public Canary {
      if (total < 1 || total > RouteValidator.MAX_WEIGHT || weight < 0 || weight > total) {
        throw new IllegalArgumentException("canary weight " + weight + " of " + total);
      }
    }

    /** A canary by weight alone. */
    public Canary(int weight, int total) {
      this(weight, total, null);
    }
  }

  /** Parses {@code annotations} (null means none) of {@code ingress}. */
  /**
   * The port name of an error pages backend named without a port: the translator replaces it with
   * the Service's first port (never a valid port name: it holds a character names cannot).
   */
  public static final String FIRST_PORT = "(first port)";

  public static IngressAnnotations parse(
      IngressRef ingress, @Nullable Map<String, String> annotations) {
    return new Parser(ingress, annotations == null ? Map.of() : annotations).parse();
  }

  private static final class Parser {
    private final IngressRef ingress;
    private final Map<String, String> all;
    private final List<IngressProblem> problems = new ArrayList<>();
    private boolean refused;
    private boolean canary;

    Parser(IngressRef ingress, Map<String, String> annotations) {
      this.ingress = ingress;
      this.all = new TreeMap<>(annotations);
    }

    IngressAnnotations parse() {
      String flag = all.get(NGINX + "canary");
      canary = flag != null && flag.trim().equalsIgnoreCase("true");
      for (Map.Entry<String, String> e : all.entrySet()) {
        check(e.getKey(), e.getValue());
      }
      if (canary) {
        // the settings come from the primary's route; only the weights are the canary's own
        Canary weights = canary();
        return new IngressAnnotations(
            UpstreamProtocol.HTTP1,
            true,
            Timeouts.DEFAULTS,
            Limits.DEFAULTS,
            false,
            refused ? null : weights,
            refused,
            problems,
            List.of(),
            false,
            null,
            AccessAnnotations.Result.NONE,
            ClientAuth.NONE,
            UpstreamTlsAnnotations.Result.NONE,
            HostAnnotations.Result.NONE,
            ProxyAnnotations.Result.NONE);
      }
      boolean sslRedirect = bool("ssl-redirect", true);
      boolean useRegex = bool("use-regex", false);
      Timeouts d = Timeouts.DEFAULTS;
      Duration connect = duration("connect-timeout", "proxy-connect-timeout", d.connect(), false);
      Duration response = duration("response-timeout", "proxy-read-timeout", d.response(), false);
      Duration bodyIdle =
          duration(
              "body-idle-timeout",
              "proxy-send-timeout",
              has(NGINX + "proxy-read-timeout") && !has(PREFIX + "body-idle-timeout")
                  ? response
                  : d.bodyIdle(),
              false);
      Duration request = duration("request-timeout", null, d.request(), true);
      long body = bytes();
      List<PolicySpec> policies = new ArrayList<>(1);
      String[] target = lookup("rewrite-target", "rewrite-target");
      String[] prefix = lookup("x-forwarded-prefix", "x-forwarded-prefix");
      String[] vhost = lookup("upstream-vhost", "upstream-vhost");
      if (target != null || prefix != null || vhost != null) {
        // the pattern is each route's own path: the translator fills it in (REWRITE_PATH)
        policies.add(
            new URLRewrite(
                vhost == null ? null : vhost[1],
                null,
                target == null ? null : REWRITE_PATH,
                target == null ? null : target[1],
                false,
                prefix == null ? null : prefix[1]));
      }
      RequestRedirect redirect = redirect();
      if (redirect != null) {
        policies.add(redirect);
      }
      Cors cors = cors();
      if (cors != null) {
        policies.add(cors);
      }
      Compression compression = compression();
      if (compression != null) {
        policies.add(compression);
      }
      SessionPersistence session = sessionPersistence();
      if (session != null) {
        policies.add(session);
      }
      RequestMirror mirror = mirror();
      if (mirror != null) {
        policies.add(mirror);
      }
      ErrorPages errorPages = errorPages();
      if (errorPages != null) {
        policies.add(errorPages);
      }
      ResilienceAnnotations.Sink sink =
          new ResilienceAnnotations.Sink() {
            @Override
            public void problem(String reason, String message) {
              Parser.this.problem(reason, message);
            }

            @Override
            public void refuse(String reason, String key, String why) {
              Parser.this.refuse(reason, key, why);
            }
          };
      ResilienceAnnotations.Result resilience = ResilienceAnnotations.parse(all, sink);
      if (resilience.retry() != null) {
        policies.add(resilience.retry());
      }
      AccessAnnotations.Result access = AccessAnnotations.parse(ingress, all, sink);
      // issue #16's families: each parses its own keys
      UpstreamTlsAnnotations.Result upstreamTls = UpstreamTlsAnnotations.parse(ingress, all, sink);
      HostAnnotations.Result hosts = HostAnnotations.parse(ingress, all, sink);
      ProxyAnnotations.Result proxy = ProxyAnnotations.parse(ingress, all, sink);
      if (hosts.interceptErrorsOff()) {
        // disable-proxy-intercept-errors: the backend's error answers pass through unchanged
        policies.removeIf(p -> p instanceof ErrorPages);
      }
      return new IngressAnnotations(
          upstreamTls.protocol(),
          sslRedirect,
          new Timeouts(connect, response, bodyIdle, request),
          new Limits(body, proxy.maxResponseHeaderBytes()),
          useRegex || target != null,
          null,
          refused,
          problems,
          policies,
          bool("from-to-www-redirect", false),
          resilience.policy(),
          access,
          ClientAuth.NONE,
          upstreamTls,
          hosts,
          proxy);
    }

    /** The redirect the Ingress asks for, or null (refusing it when it asks for two). */
    private @Nullable RequestRedirect redirect() {
      String[] permanent = lookup("permanent-redirect", "permanent-redirect");
      String[] temporal = lookup("temporal-redirect", "temporal-redirect");
      String[] appRoot = lookup("app-root", "app-root");
      if (permanent != null && temporal != null) {
        // ingress-nginx's redirect parser reads temporal-redirect first and returns it
        problem(
            "UnsupportedAnnotation",
            permanent[0]
                + ": \""
                + permanent[1]
                + "\" is ignored beside temporal-redirect (as ingress-nginx: the temporal"
                + " redirect wins)");
        permanent = null;
      }
      int asked =
          (permanent != null ? 1 : 0) + (temporal != null ? 1 : 0) + (appRoot != null ? 1 : 0);
      if (asked > 1) {
        // two of three asked: permanent-redirect, or else temporal-redirect, is one of them
        String[] first = Objects.requireNonNull(permanent != null ? permanent : temporal);
        refuse(
            "UnsupportedAnnotation",
            first[0],
            "one of permanent-redirect, temporal-redirect and app-root; the Ingress is not served"
                + " while it asks for more than one");
        return null;
      }
      if (permanent != null) {
        return RequestRedirect.to(permanent[1], code("permanent-redirect-code", 301));
      }
      if (temporal != null) {
        return RequestRedirect.to(temporal[1], code("temporal-redirect-code", 302));
      }
      if (appRoot != null) {
        return new RequestRedirect(
            null, null, null, PathModifier.fullPath(appRoot[1]), 302, null, true);
      }
      return null;
    }

    /** A redirect code: 301, 302, 303, 307 or 308; 300 and 304-306 refuse; else the default. */
    private int code(String name, int dflt) {
      String[] kv = lookup(name, name);
      if (kv == null) {
        return dflt;
      }
      int code;
      try {
        code = Integer.parseInt(kv[1]);
      } catch (NumberFormatException e) {
        code = -1;
      }
      if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
        return code;
      }
      if (code >= 300 && code <= 308) {
        refuse(
            "UnsupportedAnnotation",
            kv[0],
            "\""
                + kv[1]
                + "\" cannot be answered (expected: 301, 302, 303, 307 or 308); the Ingress"
                + " is not served");
        return dflt;
      }
      bad(kv, "301, 302, 303, 307 or 308");
      return dflt;
    }

    /** The CORS policy, or null when {@code enable-cors} is not "true" (or no origin is left). */
    private @Nullable Cors cors() {
      boolean enabled = bool("enable-cors", false);
      if (!enabled) {
        for (String key : all.keySet()) {
          if (key.startsWith(PREFIX + "cors-") || key.startsWith(NGINX + "cors-")) {
            problem(
                "UnsupportedAnnotation",
                key + ": \"" + all.get(key) + "\" is ignored (enable-cors is not \"true\")");
          }
        }
        return null;
      }
      Origins allowed = corsOrigins();
      if (allowed.exact().isEmpty() && allowed.patterns().isEmpty()) {
        return null;
      }
      List<String> origins = allowed.exact();
      List<String> methods = corsList("cors-allow-methods", CORS_METHODS, false);
      List<String> headers = corsList("cors-allow-headers", CORS_HEADERS, false);
      List<String> expose = corsList("cors-expose-headers", "", true);
      String[] credentialsKv = lookup("cors-allow-credentials", "cors-allow-credentials");
      boolean credentials = bool("cors-allow-credentials", true);
      if (origins.equals(List.of(Cors.ANY)) && credentials) {
        if (credentialsKv != null) {
          problem(
              "UnsupportedAnnotation",
              credentialsKv[0]
                  + ": \""
                  + credentialsKv[1]
                  + "\" is not applied with every origin ('*'): browsers refuse credentials there;"
                  + " list the origins to allow credentials");
        }
        credentials = false;
      }
      if (credentials && expose.equals(List.of(Cors.ANY))) {
        // '*' is never the default: the annotation gave it
        String[] kv =
            Objects.requireNonNull(lookup("cors-expose-headers", "cors-expose-headers"), "'*'");
        problem(
            "UnsupportedAnnotation",
            kv[0]
                + ": \"*\" is not applied with credentials (a literal name to a credentialed"
                + " request); no header is exposed");
        expose = List.of();
      }
      int maxAge = CORS_MAX_AGE;
      String[] ageKv = lookup("cors-max-age", "cors-max-age");
      if (ageKv != null) {
        String v = ageKv[1];
        if (!v.isEmpty()
            && v.length() <= 8
            && v.chars().allMatch(ch -> ch >= '0' && ch <= '9')
            && Integer.parseInt(v) >= 1
            && Integer.parseInt(v) <= 31_536_000) {
          maxAge = Integer.parseInt(v);
        } else {
          bad(ageKv, "whole seconds from 1 to 31536000");
        }
      }
      return new Cors(origins, allowed.patterns(), methods, headers, expose, credentials, maxAge);
    }

    /** Exact allowed origins ({@code *} alone for every one) and the wildcard ones as RE2. */
    private record Origins(List<String> exact, List<String> patterns) {}

    /**
     * The allowed origins: {@code *} alone when absent or listed; invalid entries dropped. A
     * wildcard origin {@code scheme://*.rest} becomes the RE2 pattern ingress-nginx matches it with
     * ({@link #wildcardPattern}), never Gateway API's "any number of labels".
     */
    private Origins corsOrigins() {
      String[] kv = lookup("cors-allow-origin", "cors-allow-origin");
      if (kv == null || kv[1].isEmpty()) {
        return new Origins(List.of(Cors.ANY), List.of());
      }
      List<String> out = new ArrayList<>();
      List<String> patterns = new ArrayList<>();
      for (String raw : kv[1].split(",", -1)) {
        String o = raw.trim();
        if (o.equals("*")) {
          return new Origins(List.of(Cors.ANY), List.of());
        }
        String normal = CorsValidator.origin(o);
        if (normal != null && normal.contains("://*.")) {
          String pattern = wildcardPattern(normal);
          if (patterns.contains(pattern)) {
            continue; // listed twice
          }
          if (patterns.size() == CorsValidator.MAX_PATTERNS) {
            problem(
                "InvalidAnnotation",
                kv[0]
                    + ": \""
                    + o
                    + "\" is dropped (at most "
                    + CorsValidator.MAX_PATTERNS
                    + " origins with '*.')");
          } else {
            patterns.add(pattern);
          }
        } else if (normal != null && !out.contains(normal)) {
          out.add(normal);
        } else if (normal == null) {
          problem(
              "InvalidAnnotation",
              kv[0]
                  + ": \""
                  + o
                  + "\" is dropped (expected: '*' or http(s)://host[:port], the host may start"
                  + " with '*.')");
        }
      }
      if (out.isEmpty() && patterns.isEmpty()) {
        problem(
            "InvalidAnnotation",
            kv[0]
                + ": no valid origin is left; CORS is not applied (cross-origin reads stay"
                + " refused)");
      }
      return new Origins(out, patterns);
    }

    /** A comma list of tokens (or {@code *}), ingress-nginx's default when absent or invalid. */
    private List<String> corsList(String name, String dflt, boolean emptyOk) {
      String[] kv = lookup(name, name);
      String v = kv == null ? dflt : kv[1];
      if (kv != null && !(emptyOk && v.isEmpty()) && !tokenList(v)) {
        bad(kv, "a comma-separated list of names, or '*'");
        v = dflt;
      }
      List<String> out = new ArrayList<>();
      for (String t : list(v)) {
        if (t.equals("*")) {
          return List.of(Cors.ANY);
        }
        if (!out.contains(t)) {
          out.add(t);
        }
      }
      return out;
    }

    /** Whether every item of the comma list is {@code *} or a token (none empty). */
    private static boolean tokenList(String v) {
      for (String item : v.split(",", -1)) {
        String t = item.trim();
        if (!t.equals("*") && !RouteValidator.TOKEN.matcher(t).matches()) {
          return false;
        }
      }
      return true;
    }

    /** {@code http(s)://host[:port]}, then {@code $request_uri} or {@code /$request_uri}. */
    private static final Pattern MIRROR_TARGET =
        Pattern.compile(
            "(?i)(https?)://([a-z0-9.-]+|\\[[0-9a-f:.]+\\])(?::([0-9]{1,5}))?/?\\$request_uri");

    /**
     * The mirror the {@code mirror-*} keys ask for, or null for none (and when the target cannot be
     * served as nginx would, refusing the Ingress).
     */
    private @Nullable RequestMirror mirror() {
      String[] target = lookup("mirror-target", "mirror-target");
      if (target == null) {
        for (String k : List.of("mirror-request-body", "mirror-host", "mirror-percent")) {
          String[] kv = lookup(k, k.equals("mirror-percent") ? null : k);
          if (kv != null) {
            problem("UnsupportedAnnotation", kv[0] + ": ignored without a mirror-target");
          }
        }
        return null;
      }
      Matcher m = MIRROR_TARGET.matcher(target[1]);
      if (!m.matches()) {
        refuse(
            "UnsupportedAnnotation",
            target[0],
            "\""
                + target[1]
                + "\" (expected: http(s)://HOST[:PORT]$request_uri; no other nginx variable,"
                + " path, query or user info); the Ingress is not served rather than mirrored"
                + " elsewhere");
        return null;
      }
      boolean tls = m.group(1).equalsIgnoreCase("https");
      String rawHost = m.group(2).toLowerCase(Locale.ROOT);
      boolean ip = rawHost.startsWith("[") || rawHost.matches("[0-9.]+");
      String host = rawHost.startsWith("[") ? rawHost.substring(1, rawHost.length() - 1) : rawHost;
      int port = m.group(3) == null ? (tls ? 443 : 80) : Integer.parseInt(m.group(3));
      if (port < 1 || port > 65535) {
        refuse("UnsupportedAnnotation", target[0], "\"" + target[1] + "\": port 1-65535");
        return null;
      }
      boolean body = true;
      String[] rb = lookup("mirror-request-body", "mirror-request-body");
      if (rb != null) {
        if (rb[1].equalsIgnoreCase("off")) {
          body = false;
        } else if (!rb[1].equalsIgnoreCase("on")) {
          bad(rb, "on or off");
        }
      }
      String[] mh = lookup("mirror-host", "mirror-host");
      String hostname = mh != null ? mh[1] : ip ? null : host;
      int percent = RequestMirror.PERCENT;
      String[] pc = lookup("mirror-percent", null);
      if (pc != null) {
        try {
          percent = Integer.parseInt(pc[1]);
        } catch (NumberFormatException e) {
          percent = -1;
        }
        if (percent < 0 || percent > 100) {
          refuse("UnsupportedAnnotation", pc[0], "\"" + pc[1] + "\" (expected: 0-100)");
          return null;
        }
      }
      return new RequestMirror(
          new BackendSpec(
              UpstreamProtocol.HTTP1,
              List.of(Endpoint.of(host, port)),
              tls ? UpstreamTls.DEFAULT : null),
          percent,
          RequestMirror.PERCENT,
          hostname,
          body,
          RequestMirror.DEFAULT_MAX_BODY_BYTES,
          RequestMirror.DEFAULT_MAX_IN_FLIGHT);
    }

    /** The compression policy the {@code compression} keys ask for, or null for none. */
    private @Nullable Compression compression() {
      String[] on = lookup("compression", null);
      if (on == null) {
        for (String k :
            List.of(
                "compression-types",
                "compression-min-bytes",
                "compression-gzip-level",
                "compression-br-level",
                "compression-zstd-level")) {
          if (has(PREFIX + k)) {
            problem(
                "UnsupportedAnnotation",
                PREFIX + k + ": ignored without " + PREFIX + "compression");
          }
        }
        return null;
      }
      String v = on[1].toLowerCase(Locale.ROOT);
      if (v.equals("off") || v.equals("false")) {
        return null;
      }
      Compression d = Compression.defaults();
      List<String> algorithms = v.equals("on") || v.equals("true") ? d.algorithms() : list(on[1]);
      String[] types = lookup("compression-types", null);
      long minBytes = d.minBytes();
      String[] min = lookup("compression-min-bytes", null);
      if (min != null) {
        Long n = NginxSize.bytes(min[1]);
        if (n != null) {
          minBytes = n;
        } else {
          bad(min, "a size in bytes with an optional k, m or g suffix");
        }
      }
      Map<String, Integer> levels = new TreeMap<>();
      level("gzip", 1, 9, levels);
      level("br", 0, 11, levels);
      level("zstd", 1, 9, levels);
      return new Compression(
          algorithms, types == null ? d.contentTypes() : list(types[1]), minBytes, levels);
    }

    private void level(String algorithm, int min, int max, Map<String, Integer> levels) {
      String[] kv = lookup("compression-" + algorithm + "-level", null);
      if (kv == null) {
        return;
      }
      if (kv[1].length() <= 2 && kv[1].chars().allMatch(c -> c >= '0' && c <= '9')) {
        int n = Integer.parseInt(kv[1]);
        if (n >= min && n <= max) {
          levels.put(algorithm, n);
          return;
        }
      }
      bad(kv, "a whole number from " + min + " to " + max);
    }

    /**
     * The sticky split cookie the {@code session-cookie-*} keys ask for, or null: {@code
     * session-cookie-name} turns it on; {@code -max-age} (a duration such as 48h, or whole
     * seconds), {@code -path}, {@code -secure} (true/false) and {@code -samesite} refine it and are
     * ignored with a warning without it. Values go to the policy as written: the validator checks
     * them with the route (an invalid one makes the route invalid, not served).
     */
    private @Nullable SessionPersistence sessionPersistence() {
      String[] name = lookup("session-cookie-name", null);
      List<String> refinements =
          List.of(
              "session-cookie-max-age",
              "session-cookie-path",
              "session-cookie-secure",
              "session-cookie-samesite");
      if (name == null) {
        for (String k : refinements) {
          if (has(PREFIX + k)) {
            problem(
                "UnsupportedAnnotation",
                PREFIX + k + ": ignored without " + PREFIX + "session-cookie-name");
          }
        }
        return null;
      }
      Duration maxAge = null;
      String[] age = lookup("session-cookie-max-age", null);
      if (age != null) {
        maxAge =
            age[1].chars().allMatch(c -> c >= '0' && c <= '9') && !age[1].isEmpty()
                ? seconds(age[1])
                : goDuration(age[1]);
        if (maxAge == null || maxAge.isZero()) {
          refuse(
              "InvalidAnnotation",
              age[0],
              "\""
                  + age[1]
                  + "\" (expected: a duration such as 48h, or whole seconds); the Ingress is not"
                  + " served rather than with cookies that outlive or undercut what it asks");
          return null;
        }
      }
      String[] path = lookup("session-cookie-path", null);
      Boolean secure = null;
      String[] sec = lookup("session-cookie-secure", null);
      if (sec != null) {
        if (sec[1].equalsIgnoreCase("true") || sec[1].equalsIgnoreCase("false")) {
          secure = Boolean.valueOf(sec[1].toLowerCase(Locale.ROOT));
        } else {
          bad(sec, "true or false");
        }
      }
      String[] sameSite = lookup("session-cookie-samesite", null);
      return new SessionPersistence(
          name[1],
          maxAge,
          path == null ? null : path[1],
          secure,
          sameSite == null ? null : sameSite[1]);
    }

    /** A comma-separated list, each item trimmed, empty items left out. */
    /**
     * The error pages the {@code error-pages-*} keys (or ingress-nginx's {@code custom-http-errors}
     * and {@code default-backend}) ask for, or null for none. A backend named without a port is
     * {@link #FIRST_PORT}: the translator puts the Service's first port in its place.
     */
    private @Nullable ErrorPages errorPages() {
      String[] codes = lookup("error-pages-codes", "custom-http-errors");
      String[] backend = lookup("error-pages-backend", "default-backend");
      String[] page = lookup("error-pages-page", null);
      String[] type = lookup("error-pages-content-type", null);
      if (codes == null && backend == null) {
        for (String[] kv : new String[][] {page, type}) {
          if (kv != null) {
            problem(
                "UnsupportedAnnotation",
                kv[0] + ": ignored without " + PREFIX + "error-pages-codes");
          }
        }
        return null;
      }
      List<Integer> statuses = new ArrayList<>();
      if (codes == null) {
        statuses.add(503); // default-backend alone: the route's Service has no endpoint
      } else {
        for (String c : list(codes[1])) {
          int n;
          try {
            n = Integer.parseInt(c);
          } catch (NumberFormatException e) {
            n = -1;
          }
          if (n < 400 || n > 599) {
            problem(
                "InvalidAnnotation",
                codes[0] + ": \"" + c + "\" (expected: a status from 400 to 599); dropped");
          } else if (!statuses.contains(n)) {
            statuses.add(n);
          }
        }
        if (statuses.isEmpty()) {
          return null;
        }
      }
      if (page != null) {
        if (backend != null) {
          problem(
              "UnsupportedAnnotation",
              backend[0] + ": \"" + backend[1] + "\" is ignored beside " + page[0]);
        }
        return ErrorPages.page(statuses, page[1], type == null ? null : type[1]);
      }
      if (type != null) {
        problem(
            "UnsupportedAnnotation", type[0] + ": ignored without " + PREFIX + "error-pages-page");
      }
      if (backend == null) {
        // codes and backend are not both absent (returned above)
        String[] given = Objects.requireNonNull(codes, "codes");
        problem(
            "UnsupportedAnnotation",
            given[0]
                + ": \""
                + given[1]
                + "\" is ignored without "
                + PREFIX
                + "error-pages-backend, "
                + NGINX
                + "default-backend or "
                + PREFIX
                + "error-pages-page (Gatehouse has no controller-wide error backend for an"
                + " Ingress's answers)");
        return null;
      }
      String v = backend[1];
      int colon = v.indexOf(':');
      String service = colon < 0 ? v : v.substring(0, colon);
      String port = colon < 0 ? null : v.substring(colon + 1);
      BackendRef.ServicePort ref;
      if (port == null) {
        ref = new BackendRef.ServicePort(service, 0, FIRST_PORT, UpstreamProtocol.HTTP1, null);
      } else if (!port.isEmpty()
          && port.chars().allMatch(Character::isDigit)
          && port.length() < 6) {
        ref =
            new BackendRef.ServicePort(
                service, Integer.parseInt(port), null, UpstreamProtocol.HTTP1, null);
      } else {
        ref = new BackendRef.ServicePort(service, 0, port, UpstreamProtocol.HTTP1, null);
      }
      return ErrorPages.backend(statuses, ref);
    }

    private static List<String> list(String v) {
      List<String> out = new ArrayList<>();
      for (String item : v.split(",", -1)) {
        if (!item.isBlank()) {
          out.add(item.trim());
        }
      }
      return out;
    }

    /** The canary's weights and rule, or null (and refused) when they are not valid. */
    private @Nullable Canary canary() {
      CanaryRule rule = canaryRule();
      int total = canaryNumber("canary-weight-total", DEFAULT_CANARY_TOTAL, 1);
      int weight = canaryNumber("canary-weight", 0, 0);
      if (total < 0 || weight < 0) {
        return null;
      }
      if (weight > total) {
        canaryInvalid(
            "canary-weight", Integer.toString(weight), "0 to canary-weight-total, " + total);
        return null;
      }
      return refused ? null : new Canary(weight, total, rule);
    }

    /**
     * The header and cookie rule of a canary, null when it has none (or a refused one): the
     * annotations' values as written (ingress-nginx does not trim them), empty ones unset.
     */
    private @Nullable CanaryRule canaryRule() {
      String header = nonEmpty("canary-by-header");
      String value = nonEmpty("canary-by-header-value");
      String pattern = nonEmpty("canary-by-header-pattern");
      String cookie = nonEmpty("canary-by-cookie");
      if (header == null && (value != null || pattern != null)) {
        problem(
            "UnsupportedAnnotation",
            NGINX
                + (value != null ? "canary-by-header-value" : "canary-by-header-pattern")
                + ": \""
                + (value != null ? value : pattern)
                + "\" is ignored without canary-by-header (as ingress-nginx)");
        value = null;
        pattern = null;
      }
      if (value != null && pattern != null) {
        problem(
            "UnsupportedAnnotation",
            NGINX
                + "canary-by-header-pattern: \""
                + pattern
                + "\" is ignored beside canary-by-header-value (as ingress-nginx)");
        pattern = null;
      }
      if (header == null && cookie == null) {
        return null;
      }
      CanaryRule rule = new CanaryRule(header, value, pattern, cookie);
      // The route validator's own checks, with the annotation's name in the message.
      List<Violation> wrong = RouteValidator.canaryViolations(rule);
      for (Violation v : wrong) {
        String field = v.field();
        String key =
            field.endsWith(".cookie")
                ? "canary-by-cookie"
                : field.endsWith(".headerValue")
                    ? "canary-by-header-value"
                    : field.endsWith(".headerPattern")
                        ? "canary-by-header-pattern"
                        : "canary-by-header";
        // the validator's quoting: a value with control characters is shown escaped
        refused = true;
        problem(
            "InvalidAnnotation",
            NGINX
                + key
                + ": "
                + v.message().substring(field.length() + 2)
                + "; this canary is not served (the Ingress it is a canary of keeps all the"
                + " traffic)");
      }
      return wrong.isEmpty() ? rule : null;
    }

    /** A canary annotation's value as written, null when absent or empty. */
    private @Nullable String nonEmpty(String name) {
      String v = all.get(NGINX + name);
      return v == null || v.isEmpty() ? null : v;
    }

    /** A whole number from {@code min} to MAX_WEIGHT, {@code dflt} when absent, -1 if invalid. */
    private int canaryNumber(String name, int dflt, int min) {
      String raw = all.get(NGINX + name);
      if (raw == null) {
        return dflt;
      }
      String v = raw.trim();
      // digits only: no sign, no spaces, no exponent; at most 9 digits so it fits an int
      if (!v.isEmpty() && v.length() <= 9 && v.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
        int n = Integer.parseInt(v);
        if (n >= min && n <= RouteValidator.MAX_WEIGHT) {
          return n;
        }
      }
      canaryInvalid(name, raw, "a whole number from " + min + " to " + RouteValidator.MAX_WEIGHT);
      return -1;
    }

    private void canaryInvalid(String name, String value, String expected) {
      refused = true;
      problem(
          "InvalidAnnotation",
          NGINX
              + name
              + ": \""
              + value
              + "\" (expected: "
              + expected
              + "); this canary is not served (the Ingress it is a canary of keeps all the"
              + " traffic)");
    }

    private void check(String key, String value) {
      String local;
      boolean nginx;
      if (key.startsWith(PREFIX)) {
        local = key.substring(PREFIX.length());
        nginx = false;
      } else if (key.startsWith(NGINX)) {
        local = key.substring(NGINX.length());
        nginx = true;
      } else {
        return;
      }
      if (nginx && (local.equals("canary") || local.startsWith("canary-"))) {
        if (local.equals("canary") || canary && CANARY_KNOWN.contains(local)) {
          return;
        }
        problem(
            "UnsupportedAnnotation",
            key
                + ": \""
                + value
                + "\" is ignored"
                + (canary
                    ? " (known: canary-weight, canary-weight-total, canary-by-header,"
                        + " canary-by-header-value, canary-by-header-pattern, canary-by-cookie)"
                    : " (canary is not \"true\": this Ingress is not a canary)"));
        return;
      }
      if (local.endsWith("-snippet") || local.equals("snippet")) {
        refuse(
            "SnippetRefused",
            key,
            "snippets are never interpreted; the Ingress is not served while it carries one");
        return;
      }
      NginxAnnotation entry = nginx ? NginxCatalogue.find(local) : null;
      if (entry != null && entry.outcome() == NginxAnnotation.Outcome.REFUSED) {
        refuse("UnsupportedAnnotation", key, entry.note() + "; the Ingress is not served");
        return;
      }
      if (nginx
          && entry == null
          && (local.startsWith("auth-") || local.endsWith("-source-range"))) {
        refuse(
            "UnsupportedAnnotation",
            key,
            "this access control annotation is not supported; the Ingress is not served rather"
                + " than served open");
        return;
      }
      boolean known =
          nginx
              ? entry != null
              : KNOWN.contains(local)
                  || ResilienceAnnotations.KNOWN.contains(local)
                  || AccessAnnotations.KNOWN.contains(local);
      if (nginx && local.equals("affinity-canary-behavior")) {
        // Gatehouse's only behaviour is legacy: the affinity cookie never pins the canary
        if (!value.trim().equalsIgnoreCase("legacy")) {
          problem(
              "UnsupportedAnnotation",
              key
                  + ": \""
                  + value
                  + "\" is served as legacy (the affinity cookie pins an endpoint, never the"
                  + " canary; a canary's weight is drawn per request)");
        }
        return;
      }
      if (canary && known) {
        // a canary's backend takes its primary's backend policy, as it takes its protocol
        problem(
            "UnsupportedAnnotation",
            key
                + ": \""
                + value
                + "\" is ignored on a canary Ingress (the Ingress it is a canary of sets it)");
        return;
      }
      if (!known) {
        problem(
            nginx ? "UnsupportedAnnotation" : "UnknownAnnotation",
            key
                + ": \""
                + value
                + "\" is ignored"
                + (nginx
                    ? " (not served by Gatehouse: docs/ingress-nginx.md)"
                    : " (known: gatehouse.io/"
                        + String.join(", ", KNOWN)
                        + ", "
                        + String.join(", ", ResilienceAnnotations.KNOWN)
                        + ", "
                        + String.join(", ", AccessAnnotations.KNOWN)
                        + ")"));
      }
    }

    private static final List<String> KNOWN =
        List.of(
            "ssl-redirect",
            "backend-protocol",
            "connect-timeout",
            "response-timeout",
            "body-idle-timeout",
            "request-timeout",
            "max-body-size",
            ProxyAnnotations.OWN_HEAD_KEY,
            "use-regex",
            "rewrite-target",
            "x-forwarded-prefix",
            "upstream-vhost",
            "permanent-redirect",
            "permanent-redirect-code",
            "temporal-redirect",
            "temporal-redirect-code",
            "app-root",
            "from-to-www-redirect",
            "enable-cors",
            "cors-allow-origin",
            "cors-allow-methods",
            "cors-allow-headers",
            "cors-expose-headers",
            "cors-allow-credentials",
            "cors-max-age",
            "compression",
            "compression-types",
            "compression-min-bytes",
            "compression-gzip-level",
            "compression-br-level",
            "compression-zstd-level",
            "session-cookie-name",
            "session-cookie-max-age",
            "session-cookie-path",
            "session-cookie-secure",
            "session-cookie-samesite",
            "mirror-target",
            "mirror-request-body",
            "mirror-host",
            "mirror-percent",
            "error-pages-codes",
            "error-pages-backend",
            "error-pages-page",
            "error-pages-content-type");

    /** The canary keys read on a canary. */
    private static final List<String> CANARY_KNOWN =
        List.of(
            "canary-weight",
            "canary-weight-total",
            "canary-by-header",
            "canary-by-header-value",
            "canary-by-header-pattern",
            "canary-by-cookie");

    private boolean has(String key) {
      return all.containsKey(key);
    }

    /** The gatehouse.io value, else the nginx one (under {@code nginxName}), else null. */
    private String @Nullable [] lookup(String name, @Nullable String nginxName) {
      String own = all.get(PREFIX + name);
      if (own != null) {
        return new String[] {PREFIX + name, own.trim()};
      }
      String nginx = nginxName == null ? null : all.get(NGINX + nginxName);
      if (nginx != null) {
        return new String[] {NGINX + nginxName, nginx.trim()};
      }
      return null;
    }

    private boolean bool(String name, boolean dflt) {
      String[] kv = lookup(name, name);
      if (kv == null) {
        return dflt;
      }
      if (kv[1].equalsIgnoreCase("true")) {
        return true;
      }
      if (kv[1].equalsIgnoreCase("false")) {
        return false;
      }
      bad(kv, "true or false");
      return dflt;
    }

    private Duration duration(
        String name, @Nullable String nginxName, Duration dflt, boolean zeroOk) {
      String[] kv = lookup(name, nginxName);
      if (kv == null) {
        return dflt;
      }
      Duration d = kv[0].startsWith(NGINX) ? seconds(kv[1]) : goDuration(kv[1]);
      if (d == null || (d.isZero() && !zeroOk) || d.compareTo(Duration.ofDays(1)) > 0) {
        bad(
            kv,
            (kv[0].startsWith(NGINX)
                    ? "whole seconds, e.g. 60"
                    : "a duration such as 500ms, 15s, 2m")
                + (zeroOk ? ", 0 for none," : ", more than 0,")
                + " up to 1 day");
        return dflt;
      }
      return d;
    }

    private static @Nullable Duration seconds(String v) {
      String s = v.endsWith("s") ? v.substring(0, v.length() - 1) : v;
      try {
        long n = Long.parseLong(s);
        return n < 0 ? null : Duration.ofSeconds(n);
      } catch (NumberFormatException e) {
        return null;
      }
    }

    /** A Go-style duration of ms, s, m and h parts ("1m30s"), or "0". */
    static @Nullable Duration goDuration(String v) {
      if (v.equals("0")) {
        return Duration.ZERO;
      }
      Matcher m = GO_DURATION.matcher(v);
      Duration total = Duration.ZERO;
      int at = 0;
      while (m.find() && m.start() == at) {
        long n;
        try {
          n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
          return null;
        }
        if (n > 1_000_000_000L) {
          return null;
        }
        total =
            total.plus(
                switch (m.group(2)) {
                  case "ms" -> Duration.ofMillis(n);
                  case "s" -> Duration.ofSeconds(n);
                  case "m" -> Duration.ofMinutes(n);
                  default -> Duration.ofHours(n);
                });
        at = m.end();
      }
      return at == v.length() && at > 0 ? total : null;
    }

    private long bytes() {
      String[] kv = lookup("max-body-size", "proxy-body-size");
      if (kv == null) {
        return Limits.DEFAULT_MAX_REQUEST_BODY;
      }
      Long n = NginxSize.bytes(kv[1]);
      if (n != null) {
        return n;
      }
      bad(kv, "a size in bytes with an optional k, m or g suffix, 0 for no limit");
      return Limits.DEFAULT_MAX_REQUEST_BODY;
    }

    private void bad(String[] kv, String expected) {
      problem(
          "InvalidAnnotation",
          kv[0] + ": \"" + kv[1] + "\" (expected: " + expected + "); the default is used");
    }

    private void refuse(String reason, String key, String why) {
      refused = true;
      problem(reason, key + ": " + why);
    }

    private void problem(String reason, String message) {
      problems.add(new IngressProblem(ingress, reason, message));
    }
  }
}
