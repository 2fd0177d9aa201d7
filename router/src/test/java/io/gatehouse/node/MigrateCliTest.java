package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gatehouse migrate}: the subcommand's arguments and exit codes, through {@link Cli}. */
class MigrateCliTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @TempDir Path dir;

  private int run(Map<String, String> env, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "migrate";
    System.arraycopy(args, 0, all, 1, args.length);
    Cli.Result r = Cli.parse(all, env, new PrintWriter(out), new PrintWriter(err));
    assertThat(r).isInstanceOf(Cli.Exit.class);
    return ((Cli.Exit) r).code();
  }

  private Path ingress(String annotation) throws IOException {
    Path f = dir.resolve("ingress.yaml");
    Files.writeString(
        f,
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n"
            + "  namespace: shop\n  annotations:\n    "
            + annotation
            + "\nspec:\n  ingressClassName: nginx\n  defaultBackend:\n    service:\n"
            + "      name: web\n      port:\n        number: 80\n");
    return f;
  }

  @Test
  void reports_a_folder_and_exits_with_its_code() throws IOException {
    ingress("example.com/owner: \"team-a\"");
    assertThat(run(Map.of(), dir.toString())).isZero();
    assertThat(out.toString())
        .contains("Ingress shop/web: served identically")
        .endsWith("Exit code: 0 (everything is served identically)\n");
  }

  @Test
  void json_output_and_a_refused_ingress_exit_two() throws IOException {
    Path f = ingress("nginx.ingress.kubernetes.io/configuration-snippet: \"more_set_headers x;\"");
    assertThat(run(Map.of(), "-o", "json", f.toString())).isEqualTo(2);
    assertThat(out.toString()).startsWith("{").contains("\"status\" : \"refused\"");
  }

  @Test
  void usage_errors_exit_sixty_four() throws IOException {
    Path f = ingress("a: \"b\"");
    assertThat(run(Map.of(), "--output", "xml", f.toString())).isEqualTo(64);
    assertThat(err.toString()).contains("'--output': \"xml\" (expected: text or json)");
    assertThat(run(Map.of(), "--kubeconfig", f.toString(), f.toString())).isEqualTo(64);
    assertThat(run(Map.of(), "--no-such-flag")).isEqualTo(64);
  }

  @Test
  void help_exits_zero_and_documents_the_exit_codes() {
    assertThat(run(Map.of(), "--help")).isZero();
    assertThat(out.toString()).contains("gatehouse migrate").contains("70 the input could not");
  }

  @Test
  void the_node_help_names_the_subcommand() {
    assertThat(Cli.usage()).contains("gatehouse migrate --help");
  }

  @Test
  void an_unreachable_cluster_exits_seventy() throws IOException {
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
            + "    server: https://127.0.0.1:1\ncontexts:\n- name: x\n  context:\n    cluster: c\n"
            + "    user: u\ncurrent-context: x\nusers:\n- name: u\n  user:\n    token: t\n");
    assertThat(run(Map.of(), "--kubeconfig", kubeconfig.toString())).isEqualTo(70);
    assertThat(err.toString()).startsWith("gatehouse migrate: cannot list Ingresses");
    assertThat(run(Map.of(), "--kubeconfig", kubeconfig.toString(), "--context", "nope"))
        .isEqualTo(70);
    assertThat(err.toString()).contains("no context nope");
  }
}
