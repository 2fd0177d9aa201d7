package io.gatehouse.ocsp;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OCSP responder for tests: {@code openssl ocsp} answering from its index file, behind a
 * loopback HTTP server on a port the system picks (the server hands it each request as a file). The
 * fixture's CA signs; its leaf is listed valid until {@link #revoke}.
 */
final class OpensslResponder implements AutoCloseable {
  private static final DateTimeFormatter INDEX_TIME =
      DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

  final OcspFixture pki;
  final AtomicInteger requests = new AtomicInteger();
  private final Path dir;
  private final HttpServer server;

  /** Whether {@code openssl} runs here (tests skip without it). */
  static boolean available() {
    try {
      Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Starts it; the fixture's leaf names {@code http://127.0.0.1:PORT + path}. */
  static OpensslResponder start(Vertx vertx, Path dir, String path) throws Exception {
    return new OpensslResponder(vertx, dir, path);
  }

  private OpensslResponder(Vertx vertx, Path dir, String path) throws Exception {
    this.dir = dir;
    this.server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .compose(
                            body ->
                                vertx.executeBlocking(
                                    () -> {
                                      requests.incrementAndGet();
                                      return answer(body.getBytes());
                                    }))
                        .onSuccess(
                            der ->
                                req.response()
                                    .putHeader("content-type", "application/ocsp-response")
                                    .end(Buffer.buffer(der)))
                        .onFailure(t -> req.response().setStatusCode(500).end()))
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    this.pki = new OcspFixture(url() + path.substring(1));
    Files.writeString(dir.resolve("ca.pem"), pem("CERTIFICATE", pki.ca.getEncoded()));
    Files.writeString(
        dir.resolve("ca.key"), pem("PRIVATE KEY", pki.caKeys.getPrivate().getEncoded()));
    index('V');
  }

  /** {@code http://127.0.0.1:PORT/}. */
  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/";
  }

  /** The leaf is revoked from now on. */
  void revoke() throws IOException {
    index('R');
  }

  /** The leaf's serial as OpenSSL prints it: upper-case hex of whole bytes. */
  String serial() {
    String hex = pki.leaf.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
    return hex.length() % 2 == 1 ? "0" + hex : hex;
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
  }

  /** The index {@code openssl ocsp} answers from: the leaf valid ('V') or revoked ('R'). */
  private void index(char state) throws IOException {
    String line =
        state
            + "\t"
            + INDEX_TIME.format(pki.leaf.getNotAfter().toInstant())
            + "\t"
            + (state == 'R' ? INDEX_TIME.format(Instant.now().minusSeconds(60)) : "")
            + "\t"
            + serial()
            + "\tunknown\t/"
            + pki.leaf.getSubjectX500Principal().getName().replace(",", "/")
            + "\n";
    Path tmp = dir.resolve("index.txt.new");
    Files.writeString(tmp, line);
    Files.move(
        tmp,
        dir.resolve("index.txt"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  /** Runs {@code openssl ocsp} on one request, as a responder would. */
  private byte[] answer(byte[] request) throws Exception {
    Path req = Files.createTempFile(dir, "req", ".der");
    Path resp = dir.resolve(req.getFileName() + ".resp");
    Files.write(req, request);
    Process p =
        new ProcessBuilder(
                "openssl", "ocsp",
                "-index", dir.resolve("index.txt").toString(),
                "-CA", dir.resolve("ca.pem").toString(),
                "-rsigner", dir.resolve("ca.pem").toString(),
                "-rkey", dir.resolve("ca.key").toString(),
                "-reqin", req.toString(),
                "-respout", resp.toString(),
                "-ndays", "1")
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("openssl ocsp failed: " + out);
    }
    return Files.readAllBytes(resp);
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
