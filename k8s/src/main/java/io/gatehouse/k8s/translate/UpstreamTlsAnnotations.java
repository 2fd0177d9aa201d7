package io.gatehouse.k8s.translate;

import static io.gatehouse.k8s.translate.IngressAnnotations.NGINX;
import static io.gatehouse.k8s.translate.IngressAnnotations.PREFIX;
import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.OTHER;
import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.ROUTING;
import static io.gatehouse.k8s.translate.NginxAnnotation.Effect.SECURITY;
import static io.gatehouse.k8s.translate.NginxAnnotation.different;
import static io.gatehouse.k8s.translate.NginxAnnotation.refused;
import static io.gatehouse.k8s.translate.NginxAnnotation.same;

import io.gatehouse.model.UpstreamProtocol;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The annotations of how a backend is reached ({@code backend-protocol}, {@code proxy-ssl-*},
 * {@code proxy-http-version}, {@code service-upstream}) and of the listener's TLS ({@code
 * ssl-passthrough}, {@code ssl-ciphers}, {@code ssl-prefer-server-ciphers}), read as ingress-nginx
 * reads them (its {@code backendprotocol}, {@code proxyssl}, {@code serviceupstream} and {@code
 * sslcipher} parsers): issue #16.
 *
 * <p>ingress-nginx encrypts an HTTPS or GRPCS backend without verifying it ({@code
 * proxy-ssl-verify} is off by default), so Gatehouse does the same and says so in a Warning event.
 * The {@code proxy-ssl-*} settings take effect only with {@code proxy-ssl-secret} (ingress-nginx
 * reads none of them without it) and only on an HTTPS or GRPCS backend. What Gatehouse cannot
 * honour and would make it accept more than ingress-nginx (a cipher list, a protocol list without
 * TLSv1.2, a verify depth, an invalid {@code proxy-ssl-verify}) refuses the Ingress.
 */
final class UpstreamTlsAnnotations {
  private UpstreamTlsAnnotations() {}

  /** How the backend is spoken to over the wire, before the translator picks per route. */
  enum Scheme {
    /** Cleartext: HTTP/1.1 or h2c (the protocol says which). */
    PLAIN,
    /** TLS: HTTPS (HTTP/1.1) or GRPCS (h2 over TLS). */
    TLS,
    /**
     * ingress-nginx's {@code AUTO_HTTP}: the client's own scheme. A route of a host without TLS is
     * plain; one whose plain requests are redirected to HTTPS is TLS; one that serves both cannot
     * be served with one backend and is refused.
     */
    AUTO
  }

  /**
   * What these annotations ask for; {@link #NONE} when none is set.
   *
   * @param protocol the protocol spoken to the endpoints (h2 for GRPCS)
   * @param scheme whether the endpoints are reached over TLS
   * @param secret {@code proxy-ssl-secret}'s name (in the Ingress's namespace), read by the
   *     translator; null when not set or on a cleartext backend
   * @param verify {@code proxy-ssl-verify: on} with a secret: the backend's chain is checked
   *     against the secret's {@code ca.crt} and its name against {@code sslName}
   * @param sslName {@code proxy-ssl-name}: the name checked (and sent as SNI); null = the
   *     endpoint's
   * @param serviceUpstream {@code service-upstream}: the Service's ClusterIP is the one endpoint
   * @param passthrough {@code ssl-passthrough}: each rule's host passes TLS through (issue #19)
   */
  record Result(
      UpstreamProtocol protocol,
      Scheme scheme,
      @Nullable String secret,
      boolean verify,
      @Nullable String sslName,
      boolean serviceUpstream,
      boolean passthrough) {
    static final Result NONE =
        new Result(UpstreamProtocol.HTTP1, Scheme.PLAIN, null, false, null, false, false);
  }

  /** The key a secret problem names. */
  static final String SECRET_KEY = NGINX + "proxy-ssl-secret";

  private static final String FAMILY_SSL = "ProxySSL";

  private static final Map<String, String> HTTPS_SECRET =
      Map.of("backend-protocol", "HTTPS", "proxy-ssl-secret", "shop/backend-tls");

  private static Map<String, String> withSecret(String key, String value) {
    java.util.HashMap<String, String> m = new java.util.HashMap<>(HTTPS_SECRET);
    m.put(key, value);
    return m;
  }

  /** The catalogue entries of the annotations read here ({@link NginxCatalogue}). */
  static final java.util.List<NginxAnnotation> CATALOGUE =
      java.util.List.of(
          different(
              "backend-protocol",
              "BackendProtocol",
              ROUTING,
              "HTTP, GRPC (h2c), HTTPS (HTTP/1.1 over TLS) and GRPCS (h2 over TLS) as ingress-nginx;"
                  + " HTTPS and GRPCS are encrypted but not verified unless proxy-ssl-verify is on"
                  + " (a Warning says so); AUTO_HTTP is served only where a route gets one scheme"
                  + " (no TLS, or TLS with ssl-redirect); FCGI and AJP refuse the Ingress",
              "GRPC"),
          same(
              "proxy-ssl-secret",
              FAMILY_SSL,
              SECURITY,
              "namespace/name of a Secret of the Ingress's own namespace: tls.crt and tls.key are"
                  + " the client certificate, ca.crt the CAs proxy-ssl-verify checks against; a"
                  + " Secret that is missing or unusable refuses the Ingress",
              HTTPS_SECRET),
          different(
              "proxy-ssl-verify",
              FAMILY_SSL,
              SECURITY,
              "off by default as in ingress-nginx (a Warning says the backend is not verified);"
                  + " \"on\" needs ca.crt in proxy-ssl-secret, and without proxy-ssl-name the"
                  + " certificate must name the endpoint's address (ingress-nginx checks its"
                  + " upstream name), and the chain's depth is not limited (ingress-nginx: 1); a value"
                  + " other than on or off refuses the Ingress",
              withSecret("proxy-ssl-verify", "on")),
          different(
              "proxy-ssl-verify-depth",
              FAMILY_SSL,
              SECURITY,
              "Gatehouse cannot limit the chain's depth: with proxy-ssl-verify on, the Ingress is"
                  + " not served; with verification off it has no effect, as in ingress-nginx",
              Map.of(
                  "backend-protocol",
                  "HTTPS",
                  "proxy-ssl-secret",
                  "shop/backend-tls",
                  "proxy-ssl-verify",
                  "off",
                  "proxy-ssl-verify-depth",
                  "2")),
          different(
              "proxy-ssl-name",
              FAMILY_SSL,
              SECURITY,
              "the name the certificate must carry and the SNI sent, with proxy-ssl-verify on;"
                  + " with verification off Gatehouse sends no name, so the pair proxy-ssl-name"
                  + " and proxy-ssl-server-name on without verification refuses the Ingress",
              Map.of(
                  "backend-protocol",
                  "HTTPS",
                  "proxy-ssl-secret",
                  "shop/backend-tls",
                  "proxy-ssl-verify",
                  "on",
                  "proxy-ssl-name",
                  "api.internal")),
          different(
              "proxy-ssl-server-name",
              FAMILY_SSL,
              OTHER,
              "Gatehouse sends proxy-ssl-name as SNI whenever it verifies it, whatever this says;"
                  + " \"on\" with a name but without verification refuses the Ingress",
              withSecret("proxy-ssl-server-name", "off")),
          different(
              "proxy-ssl-protocols",
              FAMILY_SSL,
              SECURITY,
              "Gatehouse offers its backends TLSv1.2 and TLSv1.3: a list with TLSv1.2 is served so"
                  + " (never TLSv1 or TLSv1.1); a list without TLSv1.2 refuses the Ingress",
              withSecret("proxy-ssl-protocols", "TLSv1.2 TLSv1.3")),
          different(
              "proxy-ssl-ciphers",
              FAMILY_SSL,
              SECURITY,
              "only DEFAULT (the JDK's default suites) is served; Gatehouse has no OpenSSL cipher"
                  + " lists for backends, so any other list refuses the Ingress",
              withSecret("proxy-ssl-ciphers", "DEFAULT")),
          different(
              "proxy-http-version",
              "Proxy",
              OTHER,
              "Gatehouse speaks HTTP/1.1 to HTTP backends: \"1.0\" is served as 1.1, with a"
                  + " warning",
              "1.0"),
          same(
              "service-upstream",
              "ServiceUpstream",
              ROUTING,
              "the Service's ClusterIP at the Service port is the one endpoint (kube-proxy"
                  + " balances; the load balancing and affinity annotations then see one endpoint);"
                  + " a headless Service keeps its endpoints with a warning, as ingress-nginx",
              Map.of("service-upstream", "true")),
          different(
              "ssl-passthrough",
              "SSLPassthrough",
              ROUTING,
              "each rule's host passes TLS through, by SNI name, to the backend of its \"/\" path"
                  + " (its endpoints, not the Service's ClusterIP), and HTTPS for it is never"
                  + " terminated; no --enable-ssl-passthrough is needed; plain HTTP keeps the"
                  + " Ingress's routes; a name no route has is refused with unrecognized_name, not"
                  + " sent to the default backend",
              "true"),
          refused(
              "ssl-ciphers",
              "SSLCipher",
              SECURITY,
              "Gatehouse's listener has one cipher list for every host (the node's TLS"
                  + " settings), not one per Ingress, and does not serve a host with ciphers its"
                  + " list would exclude",
              "ECDHE-RSA-AES128-GCM-SHA256"),
          different(
              "ssl-prefer-server-ciphers",
              "SSLCipher",
              OTHER,
              "the node's TLS settings decide the cipher order for every host, not the Ingress",
              "true"));

  /** The protocols ingress-nginx's {@code proxy-ssl-protocols} admits, one word each. */
  private static final Pattern PROTOCOL =
      Pattern.compile("SSLv2|SSLv3|TLSv1|TLSv1\\.1|TLSv1\\.2|TLSv1\\.3");

  /** A namespace or Secret name. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  /** ingress-nginx's {@code ValidateServerName}, without its wildcard (a name to check). */
  private static final Pattern SERVER_NAME =
      Pattern.compile(
          "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

  /**
   * Parses {@code all} (every annotation of the Ingress, full keys); problems go to {@code sink}.
   */
  static Result parse(
      IngressRef ingress, Map<String, String> all, ResilienceAnnotations.Sink sink) {
    UpstreamProtocol protocol = UpstreamProtocol.HTTP1;
    Scheme scheme = Scheme.PLAIN;
    String[] kv = lookup(all, "backend-protocol");
    if (kv != null) {
      // ingress-nginx upper-cases and trims the value
      String v = kv[1].trim().toUpperCase(Locale.ROOT);
      switch (v) {
        case "HTTP" -> {}
        case "GRPC" -> protocol = UpstreamProtocol.H2C;
        case "HTTPS" -> scheme = Scheme.TLS;
        case "GRPCS" -> {
          protocol = UpstreamProtocol.H2;
          scheme = Scheme.TLS;
        }
        case "AUTO_HTTP" -> scheme = Scheme.AUTO;
        case "H2C" -> {
          if (kv[0].startsWith(PREFIX)) {
            protocol = UpstreamProtocol.H2C;
          } else {
            // not an ingress-nginx value: it proxies such an Ingress over HTTP/1.1
            sink.problem(
                "InvalidAnnotation",
                kv[0]
                    + ": \""
                    + kv[1]
                    + "\" is not an ingress-nginx value (expected: HTTP, HTTPS, AUTO_HTTP, GRPC,"
                    + " GRPCS); HTTP/1.1 is used, as ingress-nginx does (gatehouse.io/"
                    + "backend-protocol: H2C asks for h2c)");
          }
        }
        case "FCGI", "AJP" -> {
          sink.refuse(
              "UnsupportedAnnotation",
              kv[0],
              "\"" + kv[1] + "\" is not spoken by Gatehouse; the Ingress is not served");
          return Result.NONE;
        }
        default ->
            sink.problem(
                "InvalidAnnotation",
                kv[0]
                    + ": \""
                    + kv[1]
                    + "\" (expected: HTTP, HTTPS, AUTO_HTTP, GRPC or GRPCS"
                    + (kv[0].startsWith(PREFIX) ? ", H2C" : "")
                    + "); HTTP is used, as ingress-nginx does");
      }
    }
    boolean serviceUpstream = goBoolean(all, "service-upstream", sink);
    boolean passthrough = goBoolean(all, "ssl-passthrough", sink);
    proxyHttpVersion(all, sink);
    preferServerCiphers(all, sink);
    String secretValue = all.get(SECRET_KEY);
    if (scheme == Scheme.PLAIN) {
      for (String key : all.keySet()) {
        if (key.startsWith(NGINX + "proxy-ssl-")) {
          sink.problem(
              "UnsupportedAnnotation",
              key
                  + ": has no effect: the backend protocol is not HTTPS, GRPCS or AUTO_HTTP (as in"
                  + " ingress-nginx)");
        }
      }
      return new Result(protocol, scheme, null, false, null, serviceUpstream, passthrough);
    }
    if (secretValue == null) {
      for (String key : all.keySet()) {
        if (key.startsWith(NGINX + "proxy-ssl-")) {
          sink.problem(
              "UnsupportedAnnotation",
              key + ": has no effect without proxy-ssl-secret (as in ingress-nginx)");
        }
      }
      return new Result(protocol, scheme, null, false, null, serviceUpstream, passthrough);
    }
    String secret = secret(ingress, secretValue, sink);
    boolean refused = secret == null;
    String verifyRaw = all.get(NGINX + "proxy-ssl-verify");
    boolean verify = false;
    if (verifyRaw != null) {
      // ingress-nginx takes anything but on|off as off: Gatehouse will not guess "unverified"
      if (verifyRaw.equals("on")) {
        verify = true;
      } else if (!verifyRaw.equals("off")) {
        sink.refuse(
            "InvalidAnnotation",
            NGINX + "proxy-ssl-verify",
            "\""
                + verifyRaw
                + "\" (expected: on or off); the Ingress is not served rather than served"
                + " unverified");
        refused = true;
      }
    }
    String depth = all.get(NGINX + "proxy-ssl-verify-depth");
    if (depth != null && verify) {
      sink.refuse(
          "UnsupportedAnnotation",
          NGINX + "proxy-ssl-verify-depth",
          "\""
              + depth
              + "\": Gatehouse cannot limit the depth of the backend's chain; the Ingress is not"
              + " served rather than accepting longer chains");
      refused = true;
    }
    String name = all.get(NGINX + "proxy-ssl-name");
    if (name != null) {
      name = name.trim().toLowerCase(Locale.ROOT);
      if (!SERVER_NAME.matcher(name).matches() || name.length() > 253) {
        sink.refuse(
            "InvalidAnnotation",
            NGINX + "proxy-ssl-name",
            "\""
                + all.get(NGINX + "proxy-ssl-name")
                + "\" (expected: a host name); the Ingress is"
                + " not served");
        refused = true;
        name = null;
      }
    }
    String serverName = all.get(NGINX + "proxy-ssl-server-name");
    if (serverName != null && !serverName.equals("on") && !serverName.equals("off")) {
      sink.problem(
          "InvalidAnnotation",
          NGINX
              + "proxy-ssl-server-name: \""
              + serverName
              + "\" (expected: on or off); off is used, as ingress-nginx does");
      serverName = "off";
    }
    if (!verify && name != null && "on".equals(serverName)) {
      sink.refuse(
          "UnsupportedAnnotation",
          NGINX + "proxy-ssl-server-name",
          "\"on\" with proxy-ssl-name and without proxy-ssl-verify: Gatehouse sends a name only"
              + " when it verifies it; the Ingress is not served rather than reaching the backend"
              + " by another name");
      refused = true;
    }
    refused |= protocols(all, sink);
    String ciphers = all.get(NGINX + "proxy-ssl-ciphers");
    if (ciphers != null && !ciphers.trim().equals("DEFAULT") && !ciphers.isBlank()) {
      sink.refuse(
          "UnsupportedAnnotation",
          NGINX + "proxy-ssl-ciphers",
          "\""
              + ciphers
              + "\": Gatehouse has no OpenSSL cipher lists for backends (only DEFAULT); the"
              + " Ingress is not served rather than offering ciphers the list excludes");
      refused = true;
    }
    if (refused) {
      return Result.NONE;
    }
    return new Result(
        protocol, scheme, secret, verify, verify ? name : null, serviceUpstream, passthrough);
  }

  /** Whether {@code proxy-ssl-protocols} refuses the Ingress (it lacks TLSv1.2). */
  private static boolean protocols(Map<String, String> all, ResilienceAnnotations.Sink sink) {
    String raw = all.get(NGINX + "proxy-ssl-protocols");
    if (raw == null) {
      return false;
    }
    Set<String> asked = new TreeSet<>();
    for (String word : raw.trim().split(" +")) {
      if (PROTOCOL.matcher(word).matches()) {
        asked.add(word);
      }
    }
    if (asked.isEmpty()) {
      // ingress-nginx's default, TLSv1 TLSv1.1 TLSv1.2: served as TLSv1.2 and TLSv1.3
      sink.problem(
          "InvalidAnnotation",
          NGINX
              + "proxy-ssl-protocols: \""
              + raw
              + "\" (expected: TLSv1.2, TLSv1.3... separated by spaces); the default is used");
      return false;
    }
    if (!asked.contains("TLSv1.2")) {
      sink.refuse(
          "UnsupportedAnnotation",
          NGINX + "proxy-ssl-protocols",
          "\""
              + raw
              + "\": Gatehouse offers its backends TLSv1.2 and TLSv1.3 together; the Ingress is not"
              + " served rather than offering a protocol the list excludes");
      return true;
    }
    return false;
  }

  /**
   * {@code proxy-ssl-secret}'s name when it is {@code namespace/name} of the Ingress's namespace.
   */
  private static @Nullable String secret(
      IngressRef ingress, String value, ResilienceAnnotations.Sink sink) {
    String[] parts = value.trim().split("/", -1);
    if (parts.length != 2
        || !NAME.matcher(parts[0]).matches()
        || !NAME.matcher(parts[1]).matches()) {
      sink.refuse(
          "InvalidAnnotation",
          SECRET_KEY,
          "\"" + value + "\" (expected: namespace/name); the Ingress is not served");
      return null;
    }
    if (!parts[0].equals(ingress.namespace())) {
      sink.refuse(
          "InvalidAnnotation",
          SECRET_KEY,
          "\""
              + value
              + "\": a Secret of another namespace is never read (expected: "
              + ingress.namespace()
              + "/NAME, as ingress-nginx without allow-cross-namespace-resources); the Ingress is"
              + " not served");
      return null;
    }
    return parts[1];
  }

  /** {@code service-upstream}: Go's ParseBool, as ingress-nginx; invalid values are false. */
  /** A boolean annotation as Go's {@code strconv.ParseBool} reads it; false, warned, otherwise. */
  private static boolean goBoolean(
      Map<String, String> all, String name, ResilienceAnnotations.Sink sink) {
    String v = all.get(NGINX + name);
    if (v == null) {
      return false;
    }
    switch (v) {
      case "1", "t", "T", "TRUE", "true", "True":
        return true;
      case "0", "f", "F", "FALSE", "false", "False":
        return false;
      default:
        sink.problem(
            "InvalidAnnotation",
            NGINX + name + ": \"" + v + "\" (expected: true or false); false is used");
        return false;
    }
  }

  private static void proxyHttpVersion(Map<String, String> all, ResilienceAnnotations.Sink sink) {
    String v = all.get(NGINX + "proxy-http-version");
    if (v == null || v.equals("1.1")) {
      return;
    }
    sink.problem(
        "UnsupportedAnnotation",
        NGINX
            + "proxy-http-version: \""
            + v
            + "\" is served as HTTP/1.1"
            + (v.equals("1.0")
                ? " (Gatehouse speaks HTTP/1.1 to HTTP backends)"
                : " (expected: 1.0 or 1.1; the default, 1.1, is used)"));
  }

  private static void preferServerCiphers(
      Map<String, String> all, ResilienceAnnotations.Sink sink) {
    String v = all.get(NGINX + "ssl-prefer-server-ciphers");
    if (v != null) {
      sink.problem(
          "UnsupportedAnnotation",
          NGINX
              + "ssl-prefer-server-ciphers: \""
              + v
              + "\": the node's TLS settings decide the cipher order for every host");
    }
  }

  /** The gatehouse.io value, else the nginx one, else null. */
  private static String @Nullable [] lookup(Map<String, String> all, String name) {
    String own = all.get(PREFIX + name);
    if (own != null) {
      return new String[] {PREFIX + name, own.trim()};
    }
    String nginx = all.get(NGINX + name);
    return nginx == null ? null : new String[] {NGINX + name, nginx};
  }
}
