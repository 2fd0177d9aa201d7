package io.gatehouse.proxy;

import io.gatehouse.edge.RequestHead;
import io.gatehouse.edge.TrustedProxies;
import io.gatehouse.fallback.ErrorPages;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.policy.ClientCertificateCheck;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Which headers cross the proxy, in both directions: hop-by-hop and Connection-named headers stay
 * behind, forwarding headers are rewritten, client-certificate headers (and ingress-nginx's {@code
 * ssl-client-cert}) come only from Gatehouse, the mirror marker comes only from Gatehouse, and the
 * upstream's {@code Server} replaces ours only when configured. Static and stateless, so the calls
 * on the request path inline.
 */
final class HeaderRules {
  private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized(ErrorPages.REQUEST_ID);
  private static final String CERT_PREFIX = "x-client-cert-";
  private static final CharSequence CERT_VERIFIED =
      HttpHeaders.createOptimized(ClientAuth.VERIFIED_HEADER);
  private static final CharSequence CERT_SUBJECT =
      HttpHeaders.createOptimized(ClientAuth.SUBJECT_HEADER);
  private static final CharSequence CERT_SHA256 =
      HttpHeaders.createOptimized(ClientAuth.SHA256_HEADER);

  /**
   * The header that marks a mirror's copy ({@code MirrorRequest}): Gatehouse's own, so a client's
   * is dropped and a backend can trust it.
   */
  static final String MIRROR_MARKER = "x-gatehouse-mirror";

  private HeaderRules() {}

  /**
   * Copies the client's headers ({@code head.headers()}, with {@code in} the same headers as a map)
   * to the upstream request's {@code out}, then adds the forwarding headers, the request id and,
   * when the route checks client certificates, the verdict.
   *
   * @param peer the connection's peer; its forwarding headers are kept only when it is trusted
   * @param client the request's real client ({@code edge.ClientAddresses}), sent as X-Real-IP
   * @param localPort the port the client connected to, as text
   * @param cert the route's client-certificate verdict, or null when the route checks none
   * @param memo the connection's forwarded-element memo, or null
   */
  static void copyRequest(
      RequestHead head,
      MultiMap in,
      MultiMap out,
      TrustedProxies trustedProxies,
      String peer,
      String client,
      boolean tls,
      @Nullable String localPort,
      String requestId,
      ClientCertificateCheck.@Nullable Result cert,
      ForwardedHeaders.@Nullable Memo memo) {
    String connection = head.connection();
    boolean dropUnderscore = head.dropUnderscoreHeaders();
    boolean sawForwarding = false;
    String[] pairs = head.headers();
    for (int i = 0; i < pairs.length && pairs[i] != null; i += 2) {
      String name = pairs[i];
      if (HopByHop.isHopByHop(name)) {
        continue;
      }
      if (ForwardedHeaders.isForwardingHeader(name)) {
        sawForwarding = true;
        continue;
      }
      if ((name.length() == 4 && name.equalsIgnoreCase("host"))
          || isClientCertificateHeader(name)
          || (name.length() == 15 && name.equalsIgnoreCase(ClientAuth.CERTIFICATE_HEADER))
          || (name.length() == 6 && name.equalsIgnoreCase("expect"))
          || (name.length() == 12 && name.equalsIgnoreCase(ErrorPages.REQUEST_ID))
          || (name.length() == 18 && name.equalsIgnoreCase(MIRROR_MARKER))
          || (dropUnderscore && name.indexOf('_') >= 0)
          || (connection != null && HopByHop.namedIn(connection, name))) {
        continue;
      }
      out.add(name, pairs[i + 1]);
    }
    boolean trusted = sawForwarding && !trustedProxies.isEmpty() && trustedProxies.contains(peer);
    ForwardedHeaders.write(
        in, out, trusted, peer, client, tls ? "https" : "http", head.authority(), localPort, memo);
    out.add(REQUEST_ID, requestId);
    if (cert != null) {
      if (cert.outcome() == ClientCertificateCheck.Outcome.VERIFIED) {
        out.add(CERT_VERIFIED, "SUCCESS");
        out.add(CERT_SUBJECT, cert.subject());
        out.add(CERT_SHA256, cert.sha256());
      } else {
        out.add(CERT_VERIFIED, "NONE");
      }
    }
  }

  /**
   * Copies the upstream's response headers to the client's {@code out}, which already holds our own
   * ({@code Server} among them), in one pass; the rare Connection-named ones are removed after.
   * Content-Length is not copied but returned, for the caller to frame the body.
   *
   * @param passUpstreamServer whether the upstream's {@code Server} replaces ours
   * @return the upstream's Content-Length, or null
   */
  static @Nullable String copyResponse(MultiMap in, MultiMap out, boolean passUpstreamServer) {
    String connection = null;
    String contentLength = null;
    boolean upstreamServer = false;
    for (Map.Entry<String, String> h : in) {
      String name = h.getKey();
      if (HopByHop.isHopByHop(name)) {
        if (name.length() == 14) {
          contentLength = h.getValue();
        } else if (name.equalsIgnoreCase("connection")) {
          connection = connection == null ? h.getValue() : connection + "," + h.getValue();
        }
        continue;
      }
      if (name.length() == 6 && name.equalsIgnoreCase("server")) {
        if (!passUpstreamServer) {
          continue;
        }
        if (!upstreamServer) {
          out.remove(RouterSettings.ServerHeader.NAME);
          upstreamServer = true;
        }
      }
      out.add(name, h.getValue());
    }
    if (connection != null) {
      removeNamedIn(out, connection);
    }
    return contentLength;
  }

  /** Any {@code X-Client-Cert-*} header: only Gatehouse sets these, from a verified certificate. */
  static boolean isClientCertificateHeader(String name) {
    return name.length() > CERT_PREFIX.length()
        && name.regionMatches(true, 0, CERT_PREFIX, 0, CERT_PREFIX.length());
  }

  /** Removes the headers a Connection header names (other than the hop-by-hop ones). */
  private static void removeNamedIn(MultiMap headers, String connection) {
    for (String token : connection.split(",")) {
      String name = token.trim();
      if (!name.isEmpty() && !HopByHop.isHopByHop(name)) {
        headers.remove(name);
      }
    }
  }
}
