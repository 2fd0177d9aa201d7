package io.gatehouse.bench;

import io.gatehouse.policy.ClientCertificateCheck;
import io.gatehouse.policy.ConnectionMemo;
import io.gatehouse.policy.RequestContext;
import java.util.Map;
import javax.net.ssl.SSLSession;

/**
 * A GET for {@code a.example/} over cleartext HTTP/1.1, without a body, as the access filters'
 * benchmarks hand it to a filter: every answer a filter may ask for, and every effect it may have
 * dropped. A benchmark overrides what its filter reads (a header, the client address) or what it
 * must see happen (a resume, a header set).
 */
public abstract class BenchRequest implements RequestContext {
  @Override
  public String host() {
    return "a.example";
  }

  @Override
  public String path() {
    return "/";
  }

  @Override
  public String query() {
    return null;
  }

  @Override
  public String authority() {
    return "a.example";
  }

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String header(String lowerCaseName) {
    return null;
  }

  @Override
  public long contentLength() {
    return -1;
  }

  @Override
  public boolean tls() {
    return false;
  }

  @Override
  public boolean httpsListener() {
    return false;
  }

  @Override
  public String httpsPort() {
    return null;
  }

  @Override
  public String sniName() {
    return null;
  }

  @Override
  public SSLSession sslSession() {
    return null;
  }

  @Override
  public ConnectionMemo connectionMemo() {
    return null;
  }

  @Override
  public void location(String uri) {}

  @Override
  public void upstreamTarget(String target) {}

  @Override
  public void upstreamHost(String host) {}

  @Override
  public void answerHeader(String lowerCaseName, String value) {}

  @Override
  public void clientCertificate(ClientCertificateCheck.Result verdict) {}

  @Override
  public void upstreamHeader(String lowerCaseName, String value) {}

  @Override
  public void dropUpstreamHeader(String lowerCaseName) {}

  @Override
  public void onEnd(Runnable release) {}

  @Override
  public void verifiedClaims(Map<String, Object> claims) {}

  @Override
  public String requestId() {
    return "bench";
  }
}
