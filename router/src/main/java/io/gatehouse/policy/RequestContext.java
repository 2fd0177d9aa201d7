package io.gatehouse.policy;

import io.gatehouse.encoding.EncoderPool;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * What a filter may read from, and tell, the request it runs for. The proxy's exchange implements
 * it itself, so running a filter makes no adapter object; everything it returns is already at hand.
 */
public interface RequestContext {
  /** The normalised host (lower case, no port, no trailing dot), or null. */
  @Nullable String host();

  /** The normalised path. */
  String path();

  /** The raw query without '?', or null. */
  @Nullable String query();

  /**
   * The authority exactly as the client sent it (Host, :authority or an absolute-form target), or
   * null: read only for the port digits a redirect keeps, never reflected as it is.
   */
  @Nullable String authority();

  String method();

  /** The first value of the header, or null; {@code lowerCaseName} is already lower-case. */
  @Nullable String header(String lowerCaseName);

  /**
   * Every value of the request header as one list (values joined with ", "), or null; for list
   * headers a client may split over several lines, such as {@code Accept-Encoding}.
   */
  default @Nullable String headerValues(String lowerCaseName) {
    return header(lowerCaseName);
  }

  /** The declared Content-Length, or -1 when none was declared. */
  long contentLength();

  /** Whether the request came in on the HTTPS listener. */
  boolean tls();

  /**
   * The scheme the client used to reach the load balancer in front, lower case, when the peer is a
   * trusted proxy ({@code proxy.trustedProxies}) that sent {@code X-Forwarded-Proto} (its first
   * value); null otherwise, and over TLS. A balancer that ends TLS forwards plain HTTP: without it
   * an HTTPS redirect would send its clients round in a loop.
   */
  default @Nullable String forwardedProto() {
    return null;
  }

  /** Whether this node has an HTTPS listener (a redirect to HTTPS can be served). */
  boolean httpsListener();

  /** The HTTPS port a redirect names, as text; null when unknown (left out of the URL). */
  @Nullable String httpsPort();

  /** The connection's SNI name over TLS, else null. */
  @Nullable String sniName();

  /** The connection's TLS session, else null. */
  @Nullable SSLSession sslSession();

  /** This connection's memo, kept across its requests; null when there is none. */
  @Nullable ConnectionMemo connectionMemo();

  /** The {@code Location} of a 3xx verdict; set before {@link AdmissionFilter#admit} returns. */
  void location(String uri);

  /**
   * The request target (path and query) every upstream attempt sends instead of the client's; set
   * at admission by a rewrite, already checked to be in the normal form.
   */
  void upstreamTarget(String target);

  /** The host (without port) every upstream attempt sends as Host or :authority. */
  void upstreamHost(String host);

  /**
   * Adds a header to the answer this request gets, whatever it is: the local answer of the verdict
   * the filter is about to return (a CORS preflight's 204, a 401's {@code WWW-Authenticate}, a
   * 429's {@code Retry-After}), or the proxied response when the request goes through (a {@code
   * RateLimit} header). The exchange writes it into the response it has not sent yet. A route
   * without such a filter never calls it and pays nothing.
   */
  void answerHeader(String lowerCaseName, String value);

  /**
   * At admission, after a filter returned {@link AdmissionFilter#SUSPEND}: goes on with {@link
   * AdmissionFilter#PROCEED} (the next filter, then the upstream) or answers {@code verdict}. May
   * be called from any thread (the exchange goes back to its event loop); only the first call
   * counts.
   */
  default void resume(int verdict) {
    throw new UnsupportedOperationException("this request cannot be suspended");
  }

  /**
   * At admission: every upstream attempt (and mirror copy) sends this header with this value, the
   * client's own values of it removed: an identity a filter verified (a JWT claim, a forward-auth
   * answer's header). Applied after the client's headers are copied and before the route's header
   * policies run.
   */
  default void upstreamHeader(String lowerCaseName, String value) {
    throw new UnsupportedOperationException("this request has no upstream headers");
  }

  /**
   * At admission: no upstream attempt sends this client header (a credential that is not forwarded,
   * or an identity header the client may not set itself).
   */
  default void dropUpstreamHeader(String lowerCaseName) {
    throw new UnsupportedOperationException("this request has no upstream headers");
  }

  /**
   * At admission: runs {@code release} once when this request ends, however it ends (answered,
   * proxied, reset, timed out): a concurrency limit gives its place back there. Called on the
   * request's event loop.
   */
  default void onEnd(Runnable release) {
    throw new UnsupportedOperationException("this request has no end hook");
  }

  /**
   * At admission: the claims of the token a JWT filter verified, for later filters (a rate limit
   * keyed by a claim). Values are JSON values as the JOSE library gives them (String, Number,
   * Boolean, List, Map).
   */
  default void verifiedClaims(java.util.Map<String, Object> claims) {
    throw new UnsupportedOperationException("this request keeps no claims");
  }

  /** The claims an earlier filter verified ({@link #verifiedClaims}), or null. */
  default java.util.@Nullable Map<String, Object> verifiedClaims() {
    return null;
  }

  /** The client-certificate verdict a filter accepted, forwarded upstream in headers. */
  void clientCertificate(ClientCertificateCheck.Result verdict);

  /**
   * The client's address (IPv4 or IPv6 text, no port): the connection's peer, the PROXY protocol's
   * source, or the X-Forwarded-For client when the peer is a trusted proxy. The one address every
   * access rule and rate limit uses, and the {@code ${client.address}} of header policies; null
   * when unknown.
   */
  default @Nullable String clientAddress() {
    return null;
  }

  /**
   * The request id the upstream receives in {@code X-Request-Id} (the client's, when sane, else one
   * generated), the {@code ${request.id}} of header policies; null when unknown.
   */
  default @Nullable String requestId() {
    return null;
  }

  /**
   * The client certificate the route's check verified for this request ({@link
   * ClientCertificateCheck.Outcome#VERIFIED}), else null: the {@code ${tls.client.*}} of header
   * policies. Set at admission, so every later stage reads it.
   */
  default ClientCertificateCheck.@Nullable Result verifiedClientCertificate() {
    return null;
  }

  /**
   * At admission: copy this request to the route's mirror at {@code index} (its compiled route's
   * {@code mirrors()}) once it is proxied. A request answered locally is never copied. Only a route
   * with a mirror policy calls it.
   */
  default void mirror(int index) {
    throw new UnsupportedOperationException("this request cannot be mirrored");
  }

  /**
   * In a response filter: the proxied response's Content-Length, or -1 when it streams without one.
   */
  default long responseLength() {
    throw new UnsupportedOperationException("no response");
  }

  /**
   * In a response filter: sends the proxied body encoded in {@code coding} at {@code level} (the
   * filter has set Content-Encoding); the proxy takes the encoder from its event loop's {@link
   * EncoderPool}, drops Content-Length, streams the encoded body with the same back-pressure, and
   * gives the encoder back however the response ends.
   */
  default void encodeResponse(String coding, int level) {
    throw new UnsupportedOperationException("this request cannot encode its response");
  }

  /**
   * In a response filter: the {@code Set-Cookie} value a sticky split's weighted pick asked for on
   * this answer (the request carried no cookie naming a usable backend), or null.
   */
  default @Nullable String splitCookie() {
    return null;
  }
}
