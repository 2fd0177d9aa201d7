package io.gatehouse.upstream;

import io.gatehouse.model.KeyCertPem;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.ValidKeyCert;
import io.gatehouse.validate.Validated;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client TLS options for one {@link UpstreamTls} setting. The PEM is parsed by the validator (never
 * by Vert.x), so an error names a field and never quotes the key; the key lives only in an
 * in-memory key store.
 */
final class UpstreamTlsOptions {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamTlsOptions.class);

  private UpstreamTlsOptions() {}

  /** {@code base} with TLS on as {@code tls} says; throws (without key material) on bad PEM. */
  static HttpClientOptions apply(HttpClientOptions base, UpstreamTls tls) {
    HttpClientOptions o = new HttpClientOptions(base).setSsl(true);
    if (tls.insecureSkipVerify()) {
      LOG.warn(
          "upstream TLS without verification (insecureSkipVerify): any certificate is accepted");
      o.setTrustAll(true).setVerifyHost(false);
    } else if (!tls.subjectAltNames().isEmpty()) {
      // the names replace the host name check: the chain is checked, then the names
      o.setVerifyHost(false)
          .setTrustOptions(
              TrustOptions.wrap(
                  new SubjectAltNameTrust(
                      chainTrust(trustStore(tls.caBundlePem())), tls.subjectAltNames())));
    } else {
      o.setVerifyHost(tls.verifyHostname());
      if (tls.caBundlePem() != null) {
        o.setTrustOptions(TrustOptions.wrap(trustFactory(trustStore(tls.caBundlePem()))));
      }
    }
    KeyCertPem clientCertificate = tls.clientCertificate();
    if (clientCertificate != null) {
      o.setKeyCertOptions(keyCert(clientCertificate));
    }
    return o;
  }

  /** The X.509 trust manager over {@code store} (null: the JDK's trust store). */
  private static X509ExtendedTrustManager chainTrust(@Nullable KeyStore store) {
    for (TrustManager m : trustFactory(store).getTrustManagers()) {
      if (m instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("the JDK has no X.509 trust manager");
  }

  private static TrustManagerFactory trustFactory(@Nullable KeyStore store) {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      return tmf;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the upstream trust store", e);
    }
  }

  /** A store of the CAs of {@code pem}; null (the JDK's trust store) when {@code pem} is null. */
  private static @Nullable KeyStore trustStore(@Nullable String pem) {
    if (pem == null) {
      return null;
    }
    Validated<List<X509Certificate>> cas =
        CertificateValidator.validateCaBundle("backend.tls.caBundlePem", pem);
    List<X509Certificate> certificates = cas.value(); // null exactly when not valid
    if (certificates == null) {
      throw new IllegalArgumentException(cas.violations().toString());
    }
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      int i = 0;
      for (X509Certificate c : certificates) {
        ks.setCertificateEntry("ca-" + i++, c);
      }
      return ks;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build the upstream trust store", e);
    }
  }

  private static KeyCertOptions keyCert(KeyCertPem clientCertificate) {
    Validated<ValidKeyCert> pair =
        CertificateValidator.validateClientCertificate(
            "backend.tls.clientCertificate.", clientCertificate);
    ValidKeyCert valid = pair.value(); // null exactly when not valid
    if (valid == null) {
      throw new IllegalArgumentException(pair.violations().toString());
    }
    try {
      // A throwaway password for a store that never leaves memory.
      byte[] random = new byte[16];
      new SecureRandom().nextBytes(random);
      char[] password = HexFormat.of().formatHex(random).toCharArray();
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(
          "client", valid.privateKey(), password, valid.chain().toArray(new X509Certificate[0]));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, password);
      return KeyCertOptions.wrap(kmf);
    } catch (GeneralSecurityException | java.io.IOException e) {
      // The JDK's message names the store, not the key; the cause is dropped all the same.
      throw new IllegalStateException(
          "cannot build the upstream client key store: " + e.getClass().getSimpleName());
    }
  }
}
