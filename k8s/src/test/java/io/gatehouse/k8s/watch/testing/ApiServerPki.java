package io.gatehouse.k8s.watch.testing;

import io.gatehouse.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;

/**
 * The throwaway PKI of one API server run, like envtest's TinyCA, made by the shared {@link
 * TestPki}: a serving CA and certificate for {@code localhost}/{@code 127.0.0.1}, a client CA with
 * an admin certificate in {@code system:masters}, and the service-account token signing key. Keys
 * are written as PKCS#8, which carries the curve (Go rejects an EC key without it).
 */
final class ApiServerPki {
  final TestPki.Issued servingCa;
  final TestPki.Issued serving;
  final TestPki.Issued clientCa;
  final TestPki.Issued admin;
  final KeyPair serviceAccountSigner;

  private ApiServerPki() {
    TestPki serving = TestPki.ca("gatehouse-envtest-serving-ca");
    this.servingCa = serving.caCert();
    this.serving = serving.server(List.of("localhost"), List.of("127.0.0.1"));
    TestPki clients = TestPki.ca("gatehouse-envtest-client-ca");
    this.clientCa = clients.caCert();
    this.admin = clients.client("CN=gatehouse-envtest-admin,O=system:masters");
    this.serviceAccountSigner = TestPki.ec();
  }

  static ApiServerPki generate() {
    return new ApiServerPki();
  }

  /** Writes the files kube-apiserver reads into {@code dir}. */
  void writeServerFiles(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("serving-ca.crt"), servingCa.certPem());
    Files.writeString(dir.resolve("apiserver.crt"), serving.certPem());
    Files.writeString(dir.resolve("apiserver.key"), serving.keyPem());
    Files.writeString(dir.resolve("client-ca.crt"), clientCa.certPem());
    Files.writeString(dir.resolve("admin.crt"), admin.certPem());
    Files.writeString(dir.resolve("admin.key"), admin.keyPem());
    Files.writeString(
        dir.resolve("sa-signer.key"),
        TestPki.pem("PRIVATE KEY", serviceAccountSigner.getPrivate().getEncoded()));
    Files.writeString(
        dir.resolve("sa-signer.pub"),
        TestPki.pem("PUBLIC KEY", serviceAccountSigner.getPublic().getEncoded()));
  }

  /** A certificate's PEM as bytes, as kubeconfig and client-java want it. */
  static byte[] pemBytes(TestPki.Issued issued) {
    return issued.certPem().getBytes(StandardCharsets.US_ASCII);
  }
}
