package io.gatehouse.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import org.jspecify.annotations.Nullable;

/**
 * Writes X-Forwarded-For/-Proto/-Host/-Port, X-Real-IP and Forwarded (RFC 7239). A client's own
 * values are replaced, unless the peer is a trusted proxy: then the chain is extended with the peer
 * and the original proto, host and port are kept. X-Real-IP is always the one client address the
 * request's access rules used ({@code edge.ClientAddresses}), never a value a client sent.
 */
final class ForwardedHeaders {
  static final String XFF = "x-forwarded-for";
  static final String XFP = "x-forwarded-proto";
  static final String XFH = "x-forwarded-host";
  static final String XFPORT = "x-forwarded-port";
  static final String X_REAL_IP = "x-real-ip";
  static final String FORWARDED = "forwarded";
  // Pre-encoded names: written on every request.
  private static final CharSequence XFF_NAME = HttpHeaders.createOptimized(XFF);
  private static final CharSequence XFP_NAME = HttpHeaders.createOptimized(XFP);
  private static final CharSequence XFH_NAME = HttpHeaders.createOptimized(XFH);
  private static final CharSequence XFPORT_NAME = HttpHeaders.createOptimized(XFPORT);
  private static final CharSequence X_REAL_IP_NAME = HttpHeaders.createOptimized(X_REAL_IP);
  private static final CharSequence FORWARDED_NAME = HttpHeaders.createOptimized(FORWARDED);
  private static final CharSequence HTTP = HttpHeaders.createOptimized("http");

  private ForwardedHeaders() {}

  static boolean isForwardingHeader(String name) {
    return switch (name.length()) {
      case 9 -> name.equalsIgnoreCase(FORWARDED) || name.equalsIgnoreCase(X_REAL_IP);
      case 15 -> name.equalsIgnoreCase(XFF);
      case 16 -> name.equalsIgnoreCase(XFH) || name.equalsIgnoreCase(XFPORT);
      case 17 -> name.equalsIgnoreCase(XFP);
      default -> false;
    };
  }

  /**
   * Adds the forwarding headers to {@code out}, which holds none of them yet. {@code in} holds the
   * client's headers; it is only read when {@code trusted}. {@code peer} is the connection's peer
   * (what the chains are extended with), {@code client} the request's real client (X-Real-IP).
   * {@code memo}, the connection's, saves building the forwarded-element again (null: built each
   * time).
   */
  static void write(
      MultiMap in,
      MultiMap out,
      boolean trusted,
      String peer,
      String client,
      String scheme,
      @Nullable String authority,
      @Nullable String localPort,
      @Nullable Memo memo) {
    String priorFor = trusted ? join(in, XFF) : null;
    String priorForwarded = trusted ? join(in, FORWARDED) : null;
    String proto = trusted ? in.get(XFP) : null;
    String host = trusted ? in.get(XFH) : null;
    String port = trusted ? in.get(XFPORT) : null;

    out.add(XFF_NAME, priorFor == null ? peer : priorFor + ", " + peer);
    out.add(XFP_NAME, proto != null ? proto : ("http".equals(scheme) ? HTTP : scheme));
    if (host != null) {
      out.add(XFH_NAME, host);
    } else if (authority != null) {
      out.add(XFH_NAME, authority);
    }
    out.add(XFPORT_NAME, port != null ? port : localPort);
    out.add(X_REAL_IP_NAME, client);
    String element =
        memo == null ? element(peer, scheme, authority) : memo.element(peer, scheme, authority);
    out.add(FORWARDED_NAME, priorForwarded == null ? element : priorForwarded + ", " + element);
  }

  /**
   * A connection's last forwarded-element: its requests almost always share the peer, scheme and
   * Host, and building the element was one StringBuilder and two arrays per request (about 2 % of
   * the bytes a proxied request allocates, JFR allocation samples of bench h1). Event loop only.
   */
  static final class Memo {
    private @Nullable String peer;
    private @Nullable String scheme;
    private @Nullable String authority;
    private @Nullable String element;

    String element(String peer, String scheme, @Nullable String authority) {
      if (element == null
          || !peer.equals(this.peer)
          || !scheme.equals(this.scheme)
          || !java.util.Objects.equals(authority, this.authority)) {
        this.element = ForwardedHeaders.element(peer, scheme, authority);
        this.peer = peer;
        this.scheme = scheme;
        this.authority = authority;
      }
      return element;
    }
  }

  /** One RFC 7239 forwarded-element; IPv6 nodes and hosts with ':' are quoted. */
  static String element(String peer, String scheme, @Nullable String authority) {
    StringBuilder b = new StringBuilder(64).append("for=");
    if (peer.indexOf(':') >= 0) {
      b.append("\"[").append(peer).append("]\"");
    } else {
      b.append(peer);
    }
    if (authority != null && isSafeQuotedValue(authority)) {
      b.append(";host=\"").append(authority).append('"');
    }
    return b.append(";proto=").append(scheme).toString();
  }

  private static boolean isSafeQuotedValue(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private static @Nullable String join(MultiMap in, String name) {
    java.util.List<String> all = in.getAll(name);
    if (all.isEmpty()) {
      return null;
    }
    return all.size() == 1 ? all.get(0) : String.join(", ", all);
  }
}
