package io.gatehouse.testing;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * Raw TLS connections to a node's HTTPS listener on loopback, trusting whatever certificate it
 * serves (the tests that use it look at the answer, or at the certificate themselves).
 */
public final class TlsSockets {
  private TlsSockets() {}

  /** A handshaken connection to {@code 127.0.0.1:port} asking for {@code sni}, ALPN http/1.1. */
  public static SSLSocket open(int port, String sni) throws Exception {
    return open(port, sni, null);
  }

  /** As {@link #open(int, String)}, presenting the client certificate of {@code keys} if asked. */
  public static SSLSocket open(int port, String sni, KeyManager[] keys) throws Exception {
    return open("127.0.0.1", port, sni, keys);
  }

  /** As above on {@code address}; no SNI for a null {@code sni}. */
  public static SSLSocket open(String address, int port, String sni, KeyManager[] keys)
      throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(keys, new TrustManager[] {new TrustAll()}, new SecureRandom());
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
    try {
      s.connect(new InetSocketAddress(address, port), 5_000);
      s.setSoTimeout(20_000);
      SSLParameters p = s.getSSLParameters();
      p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
      p.setApplicationProtocols(new String[] {"http/1.1"});
      s.setSSLParameters(p);
      s.startHandshake();
      return s;
    } catch (Exception e) {
      s.close();
      throw e;
    }
  }

  /** Key managers presenting {@code client} (its issuer's certificate along) when asked. */
  public static KeyManager[] keys(TestPki.Issued client) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        "client",
        client.keys().getPrivate(),
        new char[0],
        new Certificate[] {client.cert(), client.issuer().cert()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    return kmf.getKeyManagers();
  }

  /**
   * The raw answer to {@code GET path} with SNI and Host {@code host}, on a connection of its own.
   */
  public static String get(int port, String host, String path) throws Exception {
    try (SSLSocket s = open(port, host)) {
      return get(s, host, path);
    }
  }

  /** The raw answer to {@code GET path} with Host {@code host} on {@code s}, which then closes. */
  public static String get(SSLSocket s, String host, String path) throws Exception {
    s.getOutputStream()
        .write(
            ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
