package io.gatehouse.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.node.NodeConfig;
import io.gatehouse.testing.AdminNode;
import io.gatehouse.testing.NodeFixture;
import io.gatehouse.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ctl} against an HTTPS admin listener whose certificate names {@code localhost} only: the
 * CA file is trusted and the host name checked, no CA file fails the handshake (exit 3), and {@code
 * --insecure} skips both checks with a warning.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class CtlTlsIT {
  NodeFixture node;
  Path dir;
  Path ca;
  int port;

  @BeforeAll
  void start(@TempDir Path work) throws Exception {
    dir = work;
    TestPki pki = TestPki.ca("CtlTlsIT CA");
    TestPki.Issued server = pki.server(List.of("localhost"), List.of());
    Path cert = Files.writeString(dir.resolve("admin.crt"), server.chainPem());
    Path key = Files.writeString(dir.resolve("admin.key"), server.keyPem());
    ca = Files.writeString(dir.resolve("ca.pem"), pki.caPem());
    node =
        NodeFixture.start(
            c ->
                c.withAdmin(
                    new NodeConfig.Admin(
                        true,
                        "127.0.0.1",
                        0,
                        cert.toString(),
                        key.toString(),
                        "",
                        AdminNode.ADMIN,
                        "",
                        10_000,
                        10_000,
                        List.of())));
    port = node.node().adminPort();
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private CtlRunner.Result ctl(String host, String... flags) {
    List<String> args =
        new ArrayList<>(
            List.of("--server", "https://" + host + ":" + port, "--token", AdminNode.ADMIN));
    args.addAll(List.of(flags));
    args.addAll(List.of("get", "tenants"));
    return CtlRunner.run(
        Map.of(CtlConfig.ENV_CONFIG, dir.resolve("ctl.yaml").toString()),
        "",
        args.toArray(String[]::new));
  }

  @Test
  void the_ca_file_is_trusted_for_the_name_in_the_certificate() {
    CtlRunner.Result r = ctl("localhost", "--ca-file", ca.toString());
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).isEqualTo("No tenants found.\n");
  }

  @Test
  void a_name_the_certificate_does_not_carry_fails_even_with_the_ca_file() {
    CtlRunner.Result r = ctl("127.0.0.1", "--ca-file", ca.toString());
    assertThat(r.code()).as(r.toString()).isEqualTo(3);
    assertThat(r.err()).startsWith("gatehouse ctl: cannot reach https://127.0.0.1:" + port + ": ");
  }

  @Test
  void without_the_ca_file_the_handshake_fails_with_exit_three() {
    CtlRunner.Result r = ctl("localhost");
    assertThat(r.code()).as(r.toString()).isEqualTo(3);
    assertThat(r.err()).contains("TLS handshake failed");
  }

  @Test
  void insecure_skips_the_checks_and_says_so() {
    CtlRunner.Result r = ctl("127.0.0.1", "--insecure");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err())
        .isEqualTo(
            "gatehouse ctl: warning: --insecure: the server's certificate is not checked\n"
                + "No tenants found.\n");
  }
}
