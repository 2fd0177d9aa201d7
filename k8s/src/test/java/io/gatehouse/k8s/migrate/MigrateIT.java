package io.gatehouse.k8s.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.k8s.watch.testing.ApiServerExtension;
import io.gatehouse.k8s.watch.testing.ApiServerHarness;
import io.kubernetes.client.openapi.ApiClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse migrate} against a real API server: the report on a live namespace is what the
 * same objects give, and it needs nothing but get and list (a ServiceAccount bound to a read-only
 * role makes the same report; one that may not read Secrets gets exit code 70).
 */
@ExtendWith(ApiServerExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MigrateIT {
  private static final Duration KUBECTL = Duration.ofSeconds(60);
  private static final String HTPASSWD =
      "alice:$2y$04$n9Z4GDgIbmWmi7dL8VAEauaGoiUoyX8RfMNK5zi/DQl7Cr23PUhGW";

  @TempDir Path dir;

  /**
   * The namespace's objects: an ingress-nginx class, a Service, a Secret, the ConfigMap, five
   * Ingresses.
   */
  private static String objects(String ns) {
    String cls = "nginx-" + ns;
    return String.join(
        "---\n",
        "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: "
            + cls
            + "\nspec:\n  controller: k8s.io/ingress-nginx\n",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: "
            + ns
            + "\nspec:\n  ports:\n    - name: http\n      port: 80\n",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: users\n  namespace: "
            + ns
            + "\ntype: Opaque\nstringData:\n  auth: \""
            + HTPASSWD
            + "\"\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ingress-nginx-controller\n"
            + "  namespace: "
            + ns
            + "\ndata:\n  use-forwarded-headers: \"true\"\n",
        ingress(ns, "plain", cls, "web", ""),
        ingress(
            ns,
            "snippet",
            cls,
            "web",
            "    nginx.ingress.kubernetes.io/server-snippet: \"return 200;\"\n"),
        ingress(
            ns,
            "auth",
            cls,
            "web",
            "    nginx.ingress.kubernetes.io/auth-type: basic\n"
                + "    nginx.ingress.kubernetes.io/auth-secret: users\n"),
        ingress(ns, "missing", cls, "absent", ""),
        ingress(ns, "other", "traefik", "web", ""));
  }

  private static String ingress(String ns, String name, String cls, String service, String ann) {
    return "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: "
        + name
        + "\n  namespace: "
        + ns
        + "\n"
        + (ann.isEmpty() ? "" : "  annotations:\n" + ann)
        + "spec:\n  ingressClassName: "
        + cls
        + "\n  rules:\n    - host: "
        + name
        + "."
        + ns
        + ".example\n      http:\n        paths:\n          - path: /\n"
        + "            pathType: Prefix\n            backend:\n              service:\n"
        + "                name: "
        + service
        + "\n                port:\n                  number: 80\n";
  }

  private void kubectl(ApiServerHarness server, String... args) {
    ApiServerHarness.CommandResult r = server.kubectl(KUBECTL, args);
    assertThat(r.exitCode()).as(r.output()).isZero();
  }

  private String namespaceWithObjects(ApiServerHarness server) throws Exception {
    String ns = server.createNamespace("migrate");
    Path f = dir.resolve(ns + ".yaml");
    Files.writeString(f, objects(ns), StandardCharsets.UTF_8);
    kubectl(server, "apply", "-f", f.toString());
    return ns;
  }

  private record Run(int code, String out, String err) {}

  private static Run migrate(ApiClient client, String ns) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        MigrateCommand.run(
            new MigrateOptions(
                List.of(),
                null,
                null,
                ns,
                ns + "/ingress-nginx-controller",
                List.of(),
                MigrateOptions.Format.TEXT),
            client,
            new PrintWriter(out),
            new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void reports_a_live_namespace_through_a_kubeconfig(ApiServerHarness server) throws Exception {
    String ns = namespaceWithObjects(server);
    Run r = migrate(MigrateCommand.client(server.kubeconfig(), null), ns);
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isEqualTo(MigrationReport.EXIT_NOT_SERVED);
    assertThat(r.out())
        .contains("Ingress " + ns + "/plain: served identically\n")
        .contains("Ingress " + ns + "/auth: ")
        .contains("Ingress " + ns + "/snippet: not served\n")
        .contains("  refused   server-snippet: ")
        .contains("Ingress " + ns + "/missing: served differently\n")
        .contains("  problem   ServiceNotFound: ")
        .contains("  " + ns + "/other (class traefik)\n")
        .contains("ConfigMap " + ns + "/ingress-nginx-controller\n")
        .doesNotContain("no Service was given")
        .doesNotContain("$2y$04$");
    // the Secret was read: basic auth is served, not refused for a missing Secret
    assertThat(r.out()).doesNotContain("SecretNotFound").doesNotContain("auth-secret: Secret");
  }

  @Test
  void needs_only_get_and_list(ApiServerHarness server) throws Exception {
    String ns = namespaceWithObjects(server);
    Run admin = migrate(MigrateCommand.client(server.kubeconfig(), null), ns);

    String reader = "migrate-reader-" + ns;
    kubectl(
        server,
        "create",
        "clusterrole",
        reader,
        "--verb=get,list",
        "--resource=ingresses.networking.k8s.io,ingressclasses.networking.k8s.io,services,"
            + "secrets,configmaps,endpointslices.discovery.k8s.io");
    kubectl(server, "-n", ns, "create", "serviceaccount", "reader");
    kubectl(
        server,
        "create",
        "clusterrolebinding",
        reader,
        "--clusterrole=" + reader,
        "--serviceaccount=" + ns + ":reader");
    Run readOnly = migrate(server.serviceAccountClient(ns, "reader"), ns);
    assertThat(readOnly.err()).isEmpty();
    assertThat(readOnly.out()).isEqualTo(admin.out());
    assertThat(readOnly.code()).isEqualTo(admin.code());

    // without Secrets the report cannot say what the controller would do: it stops (70)
    String noSecrets = "migrate-nosecrets-" + ns;
    kubectl(
        server,
        "create",
        "clusterrole",
        noSecrets,
        "--verb=get,list",
        "--resource=ingresses.networking.k8s.io,ingressclasses.networking.k8s.io,services,"
            + "configmaps,endpointslices.discovery.k8s.io");
    kubectl(server, "-n", ns, "create", "serviceaccount", "blind");
    kubectl(
        server,
        "create",
        "clusterrolebinding",
        noSecrets,
        "--clusterrole=" + noSecrets,
        "--serviceaccount=" + ns + ":blind");
    Run blind = migrate(server.serviceAccountClient(ns, "blind"), ns);
    assertThat(blind.code()).isEqualTo(MigrationReport.EXIT_UNREADABLE);
    assertThat(blind.err())
        .startsWith("gatehouse migrate: cannot read Secret " + ns + "/users: HTTP 403");
  }
}
