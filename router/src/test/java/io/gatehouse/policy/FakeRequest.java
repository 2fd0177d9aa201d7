package io.gatehouse.policy;

import java.lang.reflect.Proxy;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * A request as a filter sees it, set field by field, and the header set its stage edits (the last
 * edit only). Nothing here allocates once set up, so a chain's own allocation can be measured.
 */
class FakeRequest implements RequestContext, HeaderEdits {
  String host = "a.example";
  String path = "/";
  String query;
  String method = "GET";
  long contentLength = -1;
  boolean tls;
  boolean httpsListener = true;
  String forwardedProto;
  String httpsPort = "8443";
  String sni;
  SSLSession session;
  ConnectionMemo memo = new ConnectionMemo();

  String authority;

  /** The request's headers by lower-case name (one value each). */
  Map<String, String> headers = Map.of();

  /** The headers added to a local answer, in order: name, value, name, value, ... */
  final List<String> answer = new ArrayList<>();

  String location;

  /** What {@link #splitCookie()} answers: the Set-Cookie a sticky split's pick asked for. */
  String splitCookie;

  String upstreamTarget;
  String upstreamHost;
  ClientCertificateCheck.Result verdict;
  String clientAddress = "192.0.2.7";
  String requestId = "req-1";

  /** The mirrors a filter chose, by position (bits). */
  int mirrors;

  int edits;
  String editName;
  String editValue;

  static FakeRequest plain(String host, String path) {
    FakeRequest r = new FakeRequest();
    r.host = host;
    r.path = path;
    return r;
  }

  /** Over TLS with {@code host} as the SNI name and a session that presents {@code chain}. */
  static FakeRequest tls(String host, Certificate... chain) {
    FakeRequest r = plain(host, "/");
    r.tls = true;
    r.sni = host;
    r.session = session(chain, new AtomicInteger());
    return r;
  }

  /**
   * A TLS session whose only working method is {@code getPeerCertificates} (none sent: it throws,
   * as a real session does), counting its calls in {@code reads}.
   */
  static SSLSession session(Certificate[] chain, AtomicInteger reads) {
    return (SSLSession)
        Proxy.newProxyInstance(
            FakeRequest.class.getClassLoader(),
            new Class<?>[] {SSLSession.class},
            (proxy, m, args) -> {
              switch (m.getName()) {
                case "getPeerCertificates" -> {
                  reads.incrementAndGet();
                  if (chain.length == 0) {
                    throw new SSLPeerUnverifiedException("no certificate");
                  }
                  return chain.clone();
                }
                case "hashCode" -> {
                  return System.identityHashCode(proxy);
                }
                case "equals" -> {
                  return proxy == args[0];
                }
                default -> throw new UnsupportedOperationException(m.getName());
              }
            });
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String query() {
    return query;
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String header(String lowerCaseName) {
    return headers.get(lowerCaseName);
  }

  @Override
  public String authority() {
    return authority;
  }

  @Override
  public void upstreamTarget(String target) {
    upstreamTarget = target;
  }

  @Override
  public void upstreamHost(String host) {
    upstreamHost = host;
  }

  @Override
  public long contentLength() {
    return contentLength;
  }

  @Override
  public boolean tls() {
    return tls;
  }

  @Override
  public boolean httpsListener() {
    return httpsListener;
  }

  @Override
  public String forwardedProto() {
    return forwardedProto;
  }

  @Override
  public String httpsPort() {
    return httpsPort;
  }

  @Override
  public String sniName() {
    return sni;
  }

  @Override
  public SSLSession sslSession() {
    return session;
  }

  @Override
  public ConnectionMemo connectionMemo() {
    return memo;
  }

  @Override
  public void location(String uri) {
    location = uri;
  }

  @Override
  public void mirror(int index) {
    mirrors |= 1 << index;
  }

  @Override
  public void answerHeader(String lowerCaseName, String value) {
    answer.add(lowerCaseName);
    answer.add(value);
  }

  @Override
  public String get(String name) {
    return null;
  }

  @Override
  public String splitCookie() {
    return splitCookie;
  }

  @Override
  public void clientCertificate(ClientCertificateCheck.Result v) {
    verdict = v;
  }

  @Override
  public String clientAddress() {
    return clientAddress;
  }

  @Override
  public String requestId() {
    return requestId;
  }

  @Override
  public ClientCertificateCheck.Result verifiedClientCertificate() {
    return verdict != null && verdict.outcome() == ClientCertificateCheck.Outcome.VERIFIED
        ? verdict
        : null;
  }

  @Override
  public void set(String name, String value) {
    edits++;
    editName = name;
    editValue = value;
  }

  @Override
  public void add(String name, String value) {
    set(name, value);
  }

  @Override
  public void remove(String name) {
    set(name, null);
  }

  // Rate and connection limits (issue #15): the end hooks a filter registered, and the claims.
  final List<Runnable> onEnd = new ArrayList<>();
  Map<String, Object> claims;

  @Override
  public void onEnd(Runnable release) {
    onEnd.add(release);
  }

  @Override
  public Map<String, Object> verifiedClaims() {
    return claims;
  }

  /** Runs the end hooks, as the exchange does when the request ends. */
  void end() {
    onEnd.forEach(Runnable::run);
    onEnd.clear();
  }
}
