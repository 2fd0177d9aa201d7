package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeCredentialsTest {
  @TempDir Path dir;

  private Path noServiceAccount() {
    return dir.resolve("no-service-account");
  }

  private Path serviceAccount() throws Exception {
    Path sa = Files.createDirectories(dir.resolve("sa"));
    Files.writeString(sa.resolve("token"), "t");
    return sa;
  }

  @Test
  void the_configured_file_wins_over_everything() throws Exception {
    Path file = Files.writeString(dir.resolve("k"), "x");
    KubeCredentials c =
        KubeCredentials.resolve(
            file.toString(),
            Map.of("KUBECONFIG", "/elsewhere", "KUBERNETES_SERVICE_HOST", "10.0.0.1"),
            serviceAccount());

    assertThat(c.kubeconfig()).isEqualTo(file);
    assertThat(c.origin()).isEqualTo("kubernetes.kubeconfig");
  }

  @Test
  void kubeconfig_variable_takes_its_first_existing_file() throws Exception {
    Path file = Files.writeString(dir.resolve("k"), "x");
    KubeCredentials c =
        KubeCredentials.resolve(
            "", Map.of("KUBECONFIG", dir.resolve("a") + ":" + file), noServiceAccount());

    assertThat(c.kubeconfig()).isEqualTo(file);
    assertThat(c.origin()).isEqualTo("KUBECONFIG");
  }

  @Test
  void a_kubeconfig_variable_naming_no_file_is_an_error() {
    assertThatThrownBy(
            () -> KubeCredentials.resolve("", Map.of("KUBECONFIG", "/no/such"), noServiceAccount()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("KUBECONFIG=\"/no/such\" names no kubeconfig file that exists");
  }

  @Test
  void in_a_pod_the_service_account_is_used() throws Exception {
    KubeCredentials c =
        KubeCredentials.resolve(
            "",
            Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443"),
            serviceAccount());

    assertThat(c.inCluster()).isTrue();
  }

  @Test
  void the_users_kube_config_is_the_last_resort() throws Exception {
    Path home = Files.createDirectories(dir.resolve("home/.kube")).getParent();
    Files.writeString(home.resolve(".kube/config"), "x");

    KubeCredentials c =
        KubeCredentials.resolve("", Map.of("HOME", home.toString()), noServiceAccount());

    assertThat(c.kubeconfig()).isEqualTo(home.resolve(".kube/config"));
  }

  @Test
  void nothing_found_says_what_is_missing_and_how_to_give_it() {
    assertThatThrownBy(
            () ->
                KubeCredentials.resolve(
                    "", Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"), noServiceAccount()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set")
        .hasMessageContaining("no ServiceAccount token at " + noServiceAccount().resolve("token"))
        .hasMessageContaining("--kubeconfig PATH");
  }
}
