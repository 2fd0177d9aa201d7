package io.gatehouse.testing;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * A TLS 1.3 client that leaves Nagle on and writes its request right after the handshake, as ab and
 * many HTTP libraries do. Run in a JVM of its own with {@code
 * -Djdk.tls.client.useCompatibilityMode=false}: without it the JDK sends its ChangeCipherSpec and
 * Finished as two segments, and Nagle then delays the Finished against any server. Prints the
 * milliseconds from the request's write to the answer's first byte, one line per connection.
 *
 * <p>Arguments: port, SNI and Host name, number of connections.
 */
public final class NagleTlsClient {
  private NagleTlsClient() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String host = args[1];
    int n = Integer.parseInt(args[2]);
    TrustManager trustAll = new TrustAll();
    long[] millis = new long[n];
    for (int i = 0; i < n; i++) {
      SSLContext ctx = SSLContext.getInstance("TLSv1.3");
      ctx.init(null, new TrustManager[] {trustAll}, null);
      try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
        s.setTcpNoDelay(false);
        s.setSoTimeout(10_000);
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(host)));
        s.setSSLParameters(p);
        s.startHandshake();
        long start = System.nanoTime();
        s.getOutputStream()
            .write(
                ("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        if (s.getInputStream().read() != 'H') {
          throw new IllegalStateException("not an HTTP answer");
        }
        millis[i] = (System.nanoTime() - start) / 1_000_000;
      }
    }
    Arrays.stream(millis).forEach(System.out::println);
  }
}
