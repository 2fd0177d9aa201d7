package io.gatehouse.testing;

import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/** For test clients that read the served certificate themselves: trust is not under test. */
public final class TrustAll implements X509TrustManager {
  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) {}

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) {}

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
