package io.gatehouse.k8s.translate;

import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.OTHER;
import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.ROUTING;
import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.SECURITY;
import static io.gatehouse.k8s.translate.NginxAnnotation.different;
import static io.gatehouse.k8s.translate.NginxAnnotation.refused;
import static io.gatehouse.k8s.translate.NginxAnnotation.same;

import io.gatehouse.model.Limits;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The annotations of what the proxy does to a request and its answer on the way ({@code
 * custom-headers}, {@code proxy-cookie-*}, {@code proxy-redirect-*}, {@code proxy-buffering}...),
 * of logs and tracing, and the ones Gatehouse never serves (snippets, ModSecurity, FastCGI): issue
 * #16. Each entry's note in {@link #CATALOGUE} says what Gatehouse does instead; {@code
 * docs/ingress-nginx.md} renders them.
 *
 * <p>{@code custom-headers} names a ConfigMap ({@code namespace/name}, or {@code name}) of the
 * Ingress's own namespace whose data are response headers; the translator reads it ({@link
 * ClusterState#configMap}) and sets each header on the Ingress's proxied responses, its value
 * literal (a '$' is never a variable, as ingress-nginx escapes it). A value that cannot name such a
 * ConfigMap refuses the Ingress here; a ConfigMap that is missing or holds a header Gatehouse
 * cannot set refuses it in the translator (ingress-nginx denies the location: 503).
 *
 * <p>{@code proxy-buffer-size} (or {@code gatehouse.io/max-response-header-size}, which wins) is
 * the largest response head the backend may answer with, as nginx's {@code proxy_buffer_size} means
 * it: the route's {@code Limits.maxResponseHeaderBytes}, a larger head a 502 ("upstream sent too
 * big header"). Gatehouse's ceiling is 1 MiB: a larger value is served as 1 MiB with a warning;
 * {@code 0} or no value leaves the node's {@code limits.maxHeaderBytes}.
 *
 * <p>Buffering, the other buffer sizes, temp files, HTTP/2 push, the per-Ingress access and rewrite
 * logs and OpenTelemetry change neither who may reach what nor where requests go: they are served
 * with the difference their note documents (Gatehouse streams both ways with back-pressure, never
 * writes a temp file, never pushes, logs and traces per node); a malformed value is reported and
 * nginx's default assumed, as ingress-nginx does.
 */
final class ProxyAnnotations {
  private ProxyAnnotations() {}

  /**
   * What these annotations ask for; {@link #NONE} when none is set.
   *
   * @param customHeaders the ConfigMap of response headers {@code custom-headers} names, or null
   * @param maxResponseHeaderBytes the route's response head limit {@code proxy-buffer-size} sets; 0
   *     = the node's
   */
  record Result(@Nullable ConfigMapRef customHeaders, int maxResponseHeaderBytes) {
    static final Result NONE = new Result(null, 0);
  }

  /** The {@code gatehouse.io/} key of the response head limit. */
  static final String OWN_HEAD_KEY = "max-response-header-size";

  /**
   * A ConfigMap an annotation names, read by the translator.
   *
   * @param key the full annotation key, for messages
   */
  record ConfigMapRef(String key, String namespace, String name) {}

  /**
   * ingress-nginx's header name rule for {@code custom-headers} ({@code
   * customheaders.ValidHeader}).
   */
  static final Pattern HEADER_NAME = Pattern.compile("[a-zA-Z0-9_-]+");

  /** ingress-nginx's header value rule for {@code custom-headers} ({@code ValidValue}). */
  static final Pattern HEADER_VALUE =
      Pattern.compile("[a-zA-Z0-9_ :;.,\\\\/\"'?!(){}\\[\\]@<>=\\-+*#$&`|~^%]+");

  /** A DNS-1123 subdomain (a ConfigMap's name) or label (a namespace). */
  private static final Pattern DNS_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private static final String STREAMS =
      "Gatehouse streams responses to the client as they arrive, with back-pressure (as"
          + " ingress-nginx with its default proxy-buffering: off); ";

  /** The catalogue entries of the annotations read here ({@link NginxCatalogue}). */
  static final List<NginxAnnotation> CATALOGUE =
      List.of(
          different(
              "custom-headers",
              "CustomHeaders",
              SECURITY,
              "the ConfigMap's headers are set on the Ingress's proxied responses, values literal;"
                  + " not on Gatehouse's own answers (redirects, 401, 403, 429, 502-504), and"
                  + " without ingress-nginx's global-allowed-response-headers allow-list: a header"
                  + " Gatehouse owns (hop-by-hop, framing, X-Forwarded-*...), more than 16, or a"
                  + " missing ConfigMap refuses the Ingress",
              "security-headers"),
          different(
              "connection-proxy-header",
              "Connection",
              OTHER,
              "Gatehouse manages upstream connections itself (keep-alive pools, WebSocket Upgrade"
                  + " forwarded as asked): the value is not sent, and \"close\" does not close them",
              "keep-alive"),
          refused(
              "proxy-cookie-domain",
              "Proxy",
              SECURITY,
              "Gatehouse does not rewrite the Domain of the backend's Set-Cookie headers; serving"
                  + " without it would give clients cookies scoped other than asked (also \"off\":"
                  + " remove the annotation)",
              "internal.example example.com"),
          refused(
              "proxy-cookie-path",
              "Proxy",
              SECURITY,
              "Gatehouse does not rewrite the Path of the backend's Set-Cookie headers; serving"
                  + " without it would give clients cookies scoped other than asked (also \"off\":"
                  + " remove the annotation)",
              "/app /"),
          refused(
              "proxy-redirect-from",
              "Proxy",
              ROUTING,
              "Gatehouse does not rewrite the backend's Location and Refresh headers; serving"
                  + " without it would send clients to the backend's own addresses (also \"off\""
                  + " or \"default\": remove the annotation)",
              "http://internal.example/"),
          refused(
              "proxy-redirect-to",
              "Proxy",
              ROUTING,
              "Gatehouse does not rewrite the backend's Location and Refresh headers (see"
                  + " proxy-redirect-from)",
              "https://shop.example.com/"),
          different(
              "proxy-buffering",
              "Proxy",
              OTHER,
              STREAMS + "\"on\" does not read the whole response first",
              "on"),
          different(
              "proxy-request-buffering",
              "Proxy",
              OTHER,
              "Gatehouse streams request bodies to the backend as they arrive, within"
                  + " proxy-body-size and its body-idle timeout (ingress-nginx's \"off\"); with"
                  + " \"on\", ingress-nginx's default, nginx reads the whole body first",
              "off"),
          same(
              "proxy-buffer-size",
              "Proxy",
              OTHER,
              "the largest response head the backend may answer with on the Ingress's routes"
                  + " (Limits.maxResponseHeaderBytes); a larger one is a 502, as nginx's \"upstream"
                  + " sent too big header\"; at most 1 MiB (a larger value is served as 1 MiB,"
                  + " with a warning); without it the node's limits.maxHeaderBytes (32 KiB by"
                  + " default, where nginx's default is 4k)",
              Map.of("proxy-buffer-size", "128k")),
          different("proxy-buffers-number", "Proxy", OTHER, STREAMS + "no buffer count", "8"),
          different("proxy-busy-buffers-size", "Proxy", OTHER, STREAMS + "no busy buffers", "16k"),
          different(
              "proxy-max-temp-file-size",
              "Proxy",
              OTHER,
              STREAMS + "nothing is ever written to a temporary file",
              "0"),
          different(
              "client-body-buffer-size",
              "ClientBodyBufferSize",
              OTHER,
              "Gatehouse streams request bodies and never writes them to a temporary file; the"
                  + " value sizes nothing",
              "64k"),
          different(
              "http2-push-preload",
              "HTTP2PushPreload",
              OTHER,
              "Gatehouse never pushes (browsers have dropped HTTP/2 server push); the Link headers"
                  + " reach the client unchanged",
              "true"),
          different(
              "enable-access-log",
              "Logs",
              OTHER,
              "Gatehouse's access log is per node (log.access and the log.access* keys); a"
                  + " route's lines are turned off by the node's log.accessRoutes (ROUTE_ID=off,"
                  + " the id /status lists): \"false\" does not stop the Ingress's requests"
                  + " being logged",
              "false"),
          different(
              "enable-rewrite-log",
              "Logs",
              OTHER,
              "Gatehouse has no rewrite log; the explain API shows how a request is rewritten",
              "true"),
          different(
              "enable-opentelemetry",
              "Opentelemetry",
              OTHER,
              "Gatehouse traces per node (tracing.enabled, docs/observability.md): on, every"
                  + " Ingress's requests are traced alike (tracing.sampleRatio); off, trace context"
                  + " headers (traceparent, tracestate) reach the backend unchanged",
              "true"),
          different(
              "opentelemetry-operation-name",
              "Opentelemetry",
              OTHER,
              "Gatehouse names its server span after the method and the route id (GET"
                  + " tenant/source/name); tracing is per node (see enable-opentelemetry)",
              "HTTP $request_method $uri"),
          different(
              "opentelemetry-trust-incoming-span",
              "Opentelemetry",
              OTHER,
              "With tracing on (per node) Gatehouse continues a valid incoming traceparent, as"
                  + " if trusted; off, it is passed on unchanged",
              "false"),
          refused(
              "enable-modsecurity",
              "ModSecurity",
              SECURITY,
              "Gatehouse has no web application firewall; serving without the one asked for would"
                  + " let through what it blocks (also \"false\": remove the annotation)",
              "true"),
          refused(
              "enable-owasp-core-rules",
              "ModSecurity",
              SECURITY,
              "Gatehouse has no web application firewall, so no OWASP Core Rule Set",
              "true"),
          refused(
              "modsecurity-transaction-id",
              "ModSecurity",
              SECURITY,
              "Gatehouse has no web application firewall to give a transaction id",
              "$request_id"),
          refused(
              "modsecurity-snippet",
              "ModSecurity",
              SECURITY,
              "snippets are never interpreted, and Gatehouse has no web application firewall",
              "SecRuleEngine On"),
          refused(
              "fastcgi-index",
              "FastCGI",
              ROUTING,
              "Gatehouse does not speak FastCGI to backends (backend-protocol FCGI is refused)",
              "index.php"),
          refused(
              "fastcgi-params-configmap",
              "FastCGI",
              ROUTING,
              "Gatehouse does not speak FastCGI to backends (backend-protocol FCGI is refused)",
              "shop/fastcgi-params"),
          refused(
              "configuration-snippet",
              "ConfigurationSnippet",
              SECURITY,
              "snippets are never interpreted: nginx configuration from a tenant is code",
              "more_set_headers \"X-A: b\";"),
          refused(
              "server-snippet",
              "ServerSnippet",
              SECURITY,
              "snippets are never interpreted: nginx configuration from a tenant is code",
              "return 403;"),
          refused(
              "stream-snippet",
              "StreamSnippet",
              SECURITY,
              "snippets are never interpreted: nginx configuration from a tenant is code",
              "server { listen 8000; proxy_pass 127.0.0.1:80; }"),
          refused(
              "auth-snippet",
              "ExternalAuth",
              SECURITY,
              "snippets are never interpreted: nginx configuration from a tenant is code",
              "proxy_set_header Foo-Header 42;"));

  /**
   * Parses {@code all} (every annotation of the Ingress, full keys); problems go to {@code sink}.
   * The refused entries are refused by the generic check before this runs.
   */
  static Result parse(
      IngressRef ingress, Map<String, String> all, ResilienceAnnotations.Sink sink) {
    option(all, sink, "proxy-buffering", "on", "off");
    option(all, sink, "proxy-request-buffering", "on", "off");
    int head = responseHead(all, sink);
    for (String k :
        List.of("proxy-busy-buffers-size", "proxy-max-temp-file-size", "client-body-buffer-size")) {
      String v = value(all, k);
      if (v != null && NginxSize.bytes(v) == null) {
        bad(sink, k, v, "a size such as 8k, 1m or 1024");
      }
    }
    String buffers = value(all, "proxy-buffers-number");
    if (buffers != null && !buffers.matches("[0-9]{1,9}")) {
      bad(sink, "proxy-buffers-number", buffers, "a whole number");
    }
    for (String k :
        List.of(
            "http2-push-preload",
            "enable-access-log",
            "enable-rewrite-log",
            "enable-opentelemetry",
            "opentelemetry-trust-incoming-span")) {
      option(all, sink, k, "true", "false");
    }
    String connection = value(all, "connection-proxy-header");
    if (connection != null && !connection.matches("[A-Za-z0-9-]+(\\s*,\\s*[A-Za-z0-9-]+)*")) {
      bad(sink, "connection-proxy-header", connection, "a list of connection options");
    }
    return new Result(customHeaders(ingress, all, sink), head);
  }

  /**
   * The response head limit of {@code gatehouse.io/max-response-header-size} or else {@code
   * proxy-buffer-size}: 0 (the node's) when neither is set or the value is malformed.
   */
  private static int responseHead(Map<String, String> all, ResilienceAnnotations.Sink sink) {
    String ownValue = all.get(IngressAnnotations.PREFIX + OWN_HEAD_KEY);
    String key =
        ownValue != null
            ? IngressAnnotations.PREFIX + OWN_HEAD_KEY
            : IngressAnnotations.NGINX + "proxy-buffer-size";
    String v = ownValue != null ? ownValue.trim() : value(all, "proxy-buffer-size");
    if (v == null) {
      return 0;
    }
    Long size = NginxSize.bytes(v);
    if (size == null) {
      sink.problem(
          "InvalidAnnotation",
          key
              + ": \""
              + v
              + "\" (expected: a size such as 8k, 1m or 1024); the node's response head limit"
              + " (limits.maxHeaderBytes) is kept");
      return 0;
    }
    long bytes = size;
    if (bytes > Limits.MAX_RESPONSE_HEADER_BYTES) {
      sink.problem(
          "UnsupportedAnnotation",
          key
              + ": \""
              + v
              + "\" is served as 1m: Gatehouse's largest response head limit (a larger head is a"
              + " 502)");
      return Limits.MAX_RESPONSE_HEADER_BYTES;
    }
    return (int) bytes;
  }

  /** The ConfigMap {@code custom-headers} names, null for none or when it refuses the Ingress. */
  private static @Nullable ConfigMapRef customHeaders(
      IngressRef ingress, Map<String, String> all, ResilienceAnnotations.Sink sink) {
    String key = IngressAnnotations.NGINX + "custom-headers";
    String v = value(all, "custom-headers");
    if (v == null || v.isEmpty()) {
      return null;
    }
    int slash = v.indexOf('/');
    String namespace = slash < 0 ? ingress.namespace() : v.substring(0, slash);
    String name = v.substring(slash + 1);
    if (!DNS_NAME.matcher(namespace).matches()
        || !DNS_NAME.matcher(name).matches()
        || name.length() > 253) {
      sink.refuse(
          "InvalidAnnotation",
          key,
          "\""
              + v
              + "\" (expected: namespace/name of a ConfigMap, or its name); the Ingress is not"
              + " served rather than without its response headers");
      return null;
    }
    if (!namespace.equals(ingress.namespace())) {
      sink.refuse(
          "InvalidAnnotation",
          key,
          "\""
              + v
              + "\": only a ConfigMap of the Ingress's own namespace ("
              + ingress.namespace()
              + ") is read, as ingress-nginx documents; the Ingress is not served");
      return null;
    }
    return new ConfigMapRef(key, namespace, name);
  }

  private static void option(
      Map<String, String> all, ResilienceAnnotations.Sink sink, String k, String a, String b) {
    String v = value(all, k);
    if (v != null
        && !v.toLowerCase(Locale.ROOT).equals(a)
        && !v.toLowerCase(Locale.ROOT).equals(b)) {
      bad(sink, k, v, a + " or " + b);
    }
  }

  private static @Nullable String value(Map<String, String> all, String name) {
    String v = all.get(IngressAnnotations.NGINX + name);
    return v == null ? null : v.trim();
  }

  private static void bad(ResilienceAnnotations.Sink sink, String k, String v, String expected) {
    sink.problem(
        "InvalidAnnotation",
        IngressAnnotations.NGINX
            + k
            + ": \""
            + v
            + "\" (expected: "
            + expected
            + "); nginx's default is assumed, as ingress-nginx does");
  }
}
