package io.gatehouse.ctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * One admin API server: sends a request with the bearer token and turns the answer into JSON or a
 * {@link CtlException} with the exit code a script relies on (1 refused, 3 unreachable, 4 not
 * found). The token is sent, never printed.
 */
final class AdminClient {
  /** An answer: its status, its JSON body (null when none), its ETag and Retry-After. */
  record Answer(int status, @Nullable JsonNode body, String etag, String retryAfter) {}

  private final URI server;
  private final String token;
  private final HttpClient http;
  private final Duration timeout;

  AdminClient(URI server, String token, @Nullable Path caFile, boolean insecure, Duration timeout)
      throws CtlException {
    this.server = server;
    this.token = token;
    this.timeout = timeout;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(timeout);
    if (server.getScheme().equals("https")) {
      b.sslContext(sslContext(caFile, insecure));
    }
    this.http = b.build();
  }

  URI server() {
    return server;
  }

  /**
   * Sends {@code method path} with {@code body} (JSON, or none); answers any status, or throws exit
   * 3 when the server cannot be reached.
   */
  Answer send(String method, String path, @Nullable JsonNode body)
      throws CtlException, InterruptedException {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(server + path))
            .timeout(timeout)
            .header("Accept", "application/json, application/problem+json");
    if (!token.isEmpty()) {
      r.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      String json;
      try {
        json = Documents.JSON.writeValueAsString(body);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      r.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(json));
    } else {
      r.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> response;
    try {
      response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpConnectTimeoutException e) {
      throw unreachable("no connection within " + timeout.toSeconds() + "s");
    } catch (HttpTimeoutException e) {
      throw unreachable("no answer within " + timeout.toSeconds() + "s");
    } catch (SSLHandshakeException e) {
      throw unreachable("TLS handshake failed: " + e.getMessage());
    } catch (ConnectException e) {
      throw unreachable("connection refused");
    } catch (IOException e) {
      throw unreachable(e.getMessage() == null ? e.toString() : e.getMessage());
    }
    return new Answer(
        response.statusCode(),
        Documents.parse(response.body()),
        response.headers().firstValue("ETag").orElse(""),
        response.headers().firstValue("Retry-After").orElse(""));
  }

  /**
   * Sends and answers the body of a 2xx; any other status throws with the problem's text: exit 4
   * for 404 ({@code what} names the object), 1 otherwise.
   */
  Answer ok(String method, String path, @Nullable JsonNode body, String what)
      throws CtlException, InterruptedException {
    Answer a = send(method, path, body);
    if (a.status() >= 200 && a.status() < 300) {
      return a;
    }
    throw refused(a, what);
  }

  static CtlException refused(Answer a, String what) {
    JsonNode p = a.body();
    StringBuilder s = new StringBuilder();
    if (a.status() == 404) {
      s.append(what).append(" not found");
    } else {
      s.append(a.status());
      String type = p == null ? "" : p.path("type").asText("");
      if (!type.isEmpty()) {
        s.append(' ').append(type.substring(type.lastIndexOf('/') + 1));
      }
      String title = p == null ? "" : p.path("title").asText("");
      s.append(": ").append(title.isEmpty() ? "refused" : title);
    }
    if (p != null) {
      String detail = p.path("detail").asText("");
      if (!detail.isEmpty() && !p.has("errors")) {
        s.append("\n  ").append(detail);
      }
      for (JsonNode e : p.path("errors")) {
        s.append("\n  ").append(e.path("message").asText(e.path("pointer").asText()));
      }
      String owner = p.path("owner").asText("");
      if (!owner.isEmpty()) {
        s.append("\n  held by tenant ").append(owner);
      }
      if (!a.retryAfter().isEmpty()) {
        s.append("\n  retry after ").append(a.retryAfter()).append(" s");
      }
      String route = p.path("route").asText("");
      if (!route.isEmpty() && detail.isEmpty()) {
        s.append("\n  named by route ").append(route);
      }
    }
    return new CtlException(
        a.status() == 404 ? Ctl.EXIT_NOT_FOUND : Ctl.EXIT_REFUSED, s.toString());
  }

  private CtlException unreachable(String why) {
    return new CtlException(Ctl.EXIT_UNREACHABLE, "cannot reach " + server + ": " + why);
  }

  private static SSLContext sslContext(@Nullable Path caFile, boolean insecure)
      throws CtlException {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      TrustManager[] trust;
      if (insecure) {
        trust = new TrustManager[] {new TrustingEverything()};
      } else if (caFile != null) {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (Certificate c : certificates(caFile)) {
          store.setCertificateEntry("ca-" + i++, c);
        }
        TrustManagerFactory tmf =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        trust = tmf.getTrustManagers();
      } else {
        trust = null; // the JDK's own trust store
      }
      ctx.init(null, trust, null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw CtlException.usage("CA file " + caFile + ": " + e.getMessage());
    }
  }

  private static List<Certificate> certificates(Path caFile)
      throws IOException, GeneralSecurityException, CtlException {
    List<Certificate> out = new ArrayList<>();
    try (InputStream in = Files.newInputStream(caFile)) {
      out.addAll(CertificateFactory.getInstance("X.509").generateCertificates(in));
    }
    if (out.isEmpty()) {
      throw CtlException.usage("CA file " + caFile + ": no certificate in it");
    }
    return out;
  }

  /**
   * {@code --insecure}: accepts any certificate for any name. An extended trust manager, so the JDK
   * does not wrap it with its own host name check.
   */
  private static final class TrustingEverything extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
