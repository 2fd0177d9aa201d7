package io.gatehouse.k8s.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The chart under {@code k8s/chart/gatehouse}: {@code helm lint} is clean, each case under {@code
 * src/test/resources/chart/} (one per mode) renders as recorded in its {@code rendered.yaml} (after
 * a deliberate change: {@code -Dgatehouse.golden.update=true} and review the diff), the objects of
 * each mode agree with each other and with the node config they carry, the values schema refuses
 * what the chart cannot honour, and no credential is ever made up. {@code HelmChartApiServerIT} has
 * the API server check every rendered object.
 */
class HelmChartIT {
  private static final boolean UPDATE = Boolean.getBoolean("gatehouse.golden.update");
  private static final String NS = "gatehouse";

  @BeforeAll
  @Timeout(value = 35, unit = TimeUnit.MINUTES)
  static void helm() {
    // the first run on a machine builds helm (about 2-5 minutes on 2 cores)
    Helm.binary();
  }

  static Stream<String> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(Helm.CASES)) {
      return dirs
          .filter(Files::isDirectory)
          .map(d -> d.getFileName().toString())
          .sorted()
          .toList()
          .stream();
    }
  }

  private static Path values(String name) {
    return Helm.CASES.resolve(name).resolve("values.yaml");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void lint_is_clean_for_the_defaults_and_every_case() throws IOException {
    List<List<String>> runs = new ArrayList<>();
    runs.add(List.of("lint", "--strict", Helm.CHART.toString()));
    for (String c : cases().toList()) {
      runs.add(
          List.of("lint", "--strict", Helm.CHART.toString(), "--values", values(c).toString()));
    }
    for (List<String> args : runs) {
      Helm.Result r = Helm.run(args.toArray(String[]::new));
      assertThat(r.exitCode()).as("helm %s:\n%s", args, r.both()).isZero();
      assertThat(r.both()).contains("1 chart(s) linted, 0 chart(s) failed");
      assertThat(r.both()).doesNotContain("[WARNING]").doesNotContain("[ERROR]");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void each_case_renders_as_recorded(String name) throws IOException {
    String actual = Helm.template(NS, values(name));
    Path out = Helm.CASES.resolve(name).resolve("rendered.yaml");
    if (UPDATE) {
      Files.writeString(out, actual, StandardCharsets.UTF_8);
    }
    assertThat(out).as("rendered.yaml exists (run with -Dgatehouse.golden.update=true)").exists();
    assertThat(actual).isEqualTo(Files.readString(out));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void each_mode_holds_together(String name) {
    Rendered r = new Rendered(Helm.documents(Helm.template(NS, values(name))));
    String mode = (String) values(name, "mode");
    Map<String, Object> workload = r.one(mode.equals("edgeDaemonSet") ? "DaemonSet" : "Deployment");
    Map<String, Object> pod = map(map(workload, "spec"), "template");
    Map<String, Object> podLabels = map(map(pod, "metadata"), "labels");
    Map<String, Object> podSpec = map(pod, "spec");
    Map<String, Object> container = maps(podSpec, "containers").get(0);
    Map<String, Integer> ports = new java.util.HashMap<>();
    for (Map<String, Object> p : maps(container, "ports")) {
      ports.put((String) p.get("name"), (Integer) p.get("containerPort"));
      if (mode.equals("edgeDaemonSet")) {
        assertThat(p.get("hostPort"))
            .as("hostPort of %s", p.get("name"))
            .isEqualTo(p.get("containerPort"));
      }
    }

    // every selector of the release selects the pods
    assertThat(podLabels)
        .containsAllEntriesOf(map(map(map(workload, "spec"), "selector"), "matchLabels"));
    for (Map<String, Object> svc : r.all("Service")) {
      assertThat(podLabels).containsAllEntriesOf(map(map(svc, "spec"), "selector"));
      for (Map<String, Object> p : maps(map(svc, "spec"), "ports")) {
        Object target = p.get("targetPort");
        if (target instanceof String named) {
          assertThat(ports).as("%s targets a container port", name(svc)).containsKey(named);
        } else {
          assertThat(ports)
              .as("%s targets a container port", name(svc))
              .containsValue((Integer) target);
        }
      }
    }
    for (Map<String, Object> pdb : r.all("PodDisruptionBudget")) {
      assertThat(podLabels)
          .containsAllEntriesOf(map(map(map(pdb, "spec"), "selector"), "matchLabels"));
    }
    // NetworkPolicy cannot cover hostNetwork pods: none pretends to
    assertThat(r.all("NetworkPolicy")).hasSize(mode.equals("edgeDaemonSet") ? 0 : 1);
    for (Map<String, Object> np : r.all("NetworkPolicy")) {
      assertThat(podLabels)
          .containsAllEntriesOf(map(map(map(np, "spec"), "podSelector"), "matchLabels"));
    }

    // the node config the pods mount is the rendered ConfigMap's, and its ports are the pods'
    Map<String, Object> cm = r.one("ConfigMap");
    assertThat(maps(podSpec, "volumes"))
        .anySatisfy(v -> assertThat(v.get("configMap")).isEqualTo(Map.of("name", name(cm))));
    Map<String, Object> config = config(cm);
    assertThat(map(config, "http").get("port")).isEqualTo(ports.get("http"));
    assertThat(map(config, "tls").get("port")).isEqualTo(ports.get("https"));
    assertThat(map(config, "status").get("port")).isEqualTo(ports.get("status"));
    assertThat(map(config, "status").get("host")).as("probes reach it").isEqualTo("0.0.0.0");
    assertThat(container.get("env").toString())
        .contains("GATEHOUSE_CONFIG, value=/etc/gatehouse/gatehouse.yaml");

    // the names the node config uses exist in the release
    Map<String, Object> k8s = map(config, "kubernetes");
    String[] published = ((String) k8s.get("publishService")).split("/");
    assertThat(published[0]).isEqualTo(NS);
    assertThat(r.all("Service")).extracting(HelmChartIT::name).contains(published[1]);
    if (mode.equals("edgeDaemonSet")) {
      assertThat(map(r.named("Service", published[1]), "spec").get("clusterIP"))
          .as("headless: the edge nodes' own addresses")
          .isEqualTo("None");
    } else {
      assertThat(map(r.named("Service", published[1]), "spec").get("type"))
          .isEqualTo(mode.equals("loadBalancer") ? "LoadBalancer" : "NodePort");
    }
    assertThat(k8s.get("leaseNamespace")).isEqualTo(NS);
    Map<String, Object> role = r.one("Role");
    assertThat(maps(role, "rules"))
        .anySatisfy(
            rule -> assertThat(rule.get("resourceNames")).isEqualTo(List.of(k8s.get("leaseName"))));
    @SuppressWarnings("unchecked")
    List<Object> classes = (List<Object>) k8s.get("ingressClass");
    assertThat(classes).contains(name(r.one("IngressClass")));

    Map<String, Object> cluster = map(config, "cluster");
    Map<String, Object> members = r.named("Service", name(r.one("ConfigMap")) + "-cluster");
    assertThat(cluster.get("kubernetesService"))
        .isEqualTo(name(members) + "." + NS + ".svc.cluster.local");
    assertThat(map(members, "spec").get("clusterIP")).isEqualTo("None");
    assertThat(maps(map(members, "spec"), "ports").get(0).get("targetPort"))
        .isEqualTo(cluster.get("port"));

    // the pods run as the release's account, which the bindings name
    String account = (String) podSpec.get("serviceAccountName");
    assertThat(r.all("ServiceAccount")).extracting(HelmChartIT::name).containsExactly(account);
    for (String kind : List.of("ClusterRoleBinding", "RoleBinding")) {
      assertThat(maps(r.one(kind), "subjects"))
          .containsExactly(Map.of("kind", "ServiceAccount", "name", account, "namespace", NS));
    }
  }

  /**
   * The chart carries what the plain manifests carry, so a change to one that the other misses
   * fails here: the RBAC rules, the pod's and the container's security, probes, resources and grace
   * period, and every node config key of the shipped ConfigMap.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void the_chart_carries_what_k8s_deploy_carries() throws IOException {
    Rendered deploy = new Rendered(new ArrayList<>());
    try (Stream<Path> files = Files.list(Path.of("deploy"))) {
      for (Path f : files.sorted().toList()) {
        deploy.docs().addAll(Helm.documents(Files.readString(f)));
      }
    }
    Rendered chart = new Rendered(Helm.documents(Helm.template(NS, values("node-port"))));
    assertThat(chart.one("ClusterRole").get("rules"))
        .isEqualTo(deploy.one("ClusterRole").get("rules"));
    assertThat(chart.one("Role").get("rules")).isEqualTo(deploy.one("Role").get("rules"));
    assertThat(map(chart.one("IngressClass"), "spec"))
        .isEqualTo(map(deploy.one("IngressClass"), "spec"));

    Rendered edge = new Rendered(Helm.documents(Helm.template(NS, values("edge-daemonset"))));
    for (String kind : List.of("Deployment", "DaemonSet")) {
      Map<String, Object> want = map(map(deploy.one(kind), "spec"), "template");
      Map<String, Object> got =
          map(map((kind.equals("Deployment") ? chart : edge).one(kind), "spec"), "template");
      Map<String, Object> wantPod = map(want, "spec");
      Map<String, Object> gotPod = map(got, "spec");
      assertThat(gotPod.get("terminationGracePeriodSeconds"))
          .isEqualTo(wantPod.get("terminationGracePeriodSeconds"));
      assertThat(map(gotPod, "securityContext"))
          .containsAllEntriesOf(map(wantPod, "securityContext"));
      Map<String, Object> wantC = maps(wantPod, "containers").get(0);
      Map<String, Object> gotC = maps(gotPod, "containers").get(0);
      for (String key :
          List.of("securityContext", "resources", "readinessProbe", "livenessProbe")) {
        assertThat(gotC.get(key)).as("%s %s", kind, key).isEqualTo(wantC.get(key));
      }
      assertThat(maps(gotC, "env"))
          .as("%s env", kind)
          .containsAll(
              maps(wantC, "env").stream()
                  .filter(e -> !e.get("name").equals("GATEHOUSE_KUBERNETES_PUBLISH_SERVICE"))
                  .toList());
      assertThat(maps(gotC, "volumeMounts"))
          .as("%s mounts", kind)
          .containsAll(maps(wantC, "volumeMounts"));
    }
    // every key the shipped node config sets, the chart's sets too
    Map<String, Object> want = config(deploy.one("ConfigMap"));
    Map<String, Object> got = config(chart.one("ConfigMap"));
    for (Map.Entry<String, Object> group : want.entrySet()) {
      assertThat(got).as("node config group %s", group.getKey()).containsKey(group.getKey());
      if (group.getValue() instanceof Map<?, ?> keys) {
        assertThat(map(got, group.getKey()).keySet())
            .as("keys of %s", group.getKey())
            .containsAll(keys.keySet().stream().map(String::valueOf).toList());
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void no_credential_is_made_up_and_the_admin_api_runs_only_with_a_named_secret() {
    Path defaults = values("node-port");
    Rendered off = new Rendered(Helm.documents(Helm.template(NS, defaults)));
    assertThat(off.all("Secret")).isEmpty();
    assertThat(map(config(off.one("ConfigMap")), "admin")).isEqualTo(Map.of("enabled", false));

    Rendered on =
        new Rendered(
            Helm.documents(
                Helm.template(NS, defaults, "--set", "admin.tokenSecret.name=my-admin-token")));
    assertThat(on.all("Secret")).as("the chart never creates the token").isEmpty();
    Map<String, Object> admin = map(config(on.one("ConfigMap")), "admin");
    assertThat(admin)
        .containsEntry("enabled", true)
        .containsEntry("host", "127.0.0.1")
        .containsEntry("tokenFile", "/etc/gatehouse/admin/token")
        .doesNotContainKey("token");
    Map<String, Object> podSpec = map(map(map(on.one("Deployment"), "spec"), "template"), "spec");
    assertThat(maps(podSpec, "volumes"))
        .anySatisfy(
            v ->
                assertThat(String.valueOf(v.get("secret")))
                    .contains("secretName=my-admin-token")
                    .contains("path=token"));
    // loopback only: the NetworkPolicy opens no admin port
    assertThat(on.one("NetworkPolicy").toString()).doesNotContain("admin");
    // beyond loopback (with HTTPS): only from the labelled namespaces
    Rendered open =
        new Rendered(
            Helm.documents(
                Helm.template(
                    NS,
                    defaults,
                    "--set",
                    "admin.tokenSecret.name=t,admin.host=0.0.0.0,admin.tlsSecret=admin-tls")));
    assertThat(maps(map(open.one("NetworkPolicy"), "spec"), "ingress"))
        .filteredOn(rule -> String.valueOf(rule.get("ports")).contains("port=admin"))
        .singleElement()
        .satisfies(
            rule ->
                assertThat(rule.get("from"))
                    .isEqualTo(
                        List.of(
                            Map.of(
                                "namespaceSelector",
                                Map.of(
                                    "matchLabels", Map.of("gatehouse.io/admin-access", "true"))))));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void the_service_monitor_scrapes_the_status_port_and_nothing_else() {
    Rendered r =
        new Rendered(
            Helm.documents(
                Helm.template(
                    NS,
                    values("node-port"),
                    "--set",
                    "metrics.serviceMonitor.enabled=true,metrics.serviceMonitor.labels.release=prom")));
    Map<String, Object> monitor = r.one("ServiceMonitor");
    assertThat(map(monitor, "metadata").get("labels").toString()).contains("release=prom");
    Map<String, Object> selector = map(map(monitor, "spec"), "selector");
    List<Map<String, Object>> selected =
        r.all("Service").stream()
            .filter(
                svc ->
                    map(svc, "metadata").get("labels") instanceof Map<?, ?> labels
                        && labels.entrySet().containsAll(map(selector, "matchLabels").entrySet()))
            .toList();
    assertThat(selected).extracting(HelmChartIT::name).containsExactly("gatehouse-status");
    Map<String, Object> port = maps(map(selected.get(0), "spec"), "ports").get(0);
    assertThat(maps(map(monitor, "spec"), "endpoints"))
        .containsExactly(Map.of("port", port.get("name"), "path", "/metrics", "interval", "30s"));
    assertThat(port).containsEntry("targetPort", "status").containsEntry("port", 9901);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void a_changed_node_config_rolls_the_pods() {
    Path v = values("node-port");
    String before = checksum(Helm.template(NS, v));
    assertThat(checksum(Helm.template(NS, v))).isEqualTo(before);
    assertThat(checksum(Helm.template(NS, v, "--set", "config.log.level=warn")))
        .isNotEqualTo(before);
    assertThat(
            config(
                new Rendered(Helm.documents(Helm.template(NS, v, "--set", "config.log.level=warn")))
                    .one("ConfigMap")))
        .extracting(c -> map(c, "log").get("level"))
        .isEqualTo("warn");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void the_schema_refuses_values_the_chart_cannot_honour() {
    Path v = values("node-port");
    Map<String, String> refusals =
        Map.of(
            "ports.htp=8080", "'htp' not allowed",
            "mode=daemonset", "/mode",
            "ports.http=70000", "/ports/http",
            "image.digest=latest", "/image/digest",
            "kubernetes.publishService=gatehouse", "/kubernetes/publishService",
            "admin.tokenSecret.name=x,admin.tokenSecret.key=../../etc", "/admin/tokenSecret/key");
    for (Map.Entry<String, String> e : refusals.entrySet()) {
      Helm.Result r =
          Helm.run(
              "template",
              "gatehouse",
              Helm.CHART.toString(),
              "--values",
              v.toString(),
              "--set",
              e.getKey());
      assertThat(r.exitCode()).as("--set %s is refused", e.getKey()).isNotZero();
      assertThat(r.err()).as("--set %s", e.getKey()).contains("schema").contains(e.getValue());
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void the_chart_refuses_what_it_cannot_honour_safely_naming_the_keys() {
    Path v = values("node-port");
    Helm.Result plain =
        Helm.run(
            "template",
            "gatehouse",
            Helm.CHART.toString(),
            "--values",
            v.toString(),
            "--set",
            "admin.tokenSecret.name=admin,admin.host=0.0.0.0");
    assertThat(plain.exitCode()).isNotZero();
    assertThat(plain.err()).contains("admin.host 0.0.0.0").contains("admin.tlsSecret");

    Helm.Result accepted =
        Helm.run(
            "install",
            "gatehouse",
            Helm.CHART.toString(),
            "--dry-run=client",
            "--values",
            v.toString(),
            "--set",
            "admin.tokenSecret.name=admin,admin.host=0.0.0.0,admin.insecurePlainHttp=true");
    assertThat(accepted.exitCode()).as(accepted.both()).isZero();
    assertThat(accepted.out()).contains("WARNING: admin.insecurePlainHttp is set");

    Helm.Result everywhere =
        Helm.run(
            "template",
            "gatehouse",
            Helm.CHART.toString(),
            "--set",
            "mode=edgeDaemonSet",
            "--set",
            "edge.nodeSelector=null");
    assertThat(everywhere.exitCode()).isNotZero();
    assertThat(everywhere.err()).contains("edge.nodeSelector");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void every_optional_part_can_be_turned_off() {
    String off =
        "kubernetes.enabled=false,cluster.enabled=false,tls.enabled=false,"
            + "serviceAccount.create=false,networkPolicy.enabled=false,"
            + "podDisruptionBudget.enabled=false,service.nodePorts.http=null";
    Helm.Result lint = Helm.run("lint", "--strict", Helm.CHART.toString(), "--set", off);
    assertThat(lint.exitCode()).as(lint.both()).isZero();
    Rendered r = new Rendered(Helm.documents(Helm.template(NS, values("node-port"), "--set", off)));
    assertThat(r.docs())
        .extracting(d -> d.get("kind"))
        .containsExactlyInAnyOrder("ConfigMap", "Service", "Deployment");
    assertThat(config(r.one("ConfigMap")).keySet())
        .containsExactlyInAnyOrder("admin", "http", "status", "store");
    Map<String, Object> podSpec = map(map(map(r.one("Deployment"), "spec"), "template"), "spec");
    assertThat(podSpec).containsEntry("automountServiceAccountToken", false);
    assertThat(podSpec).containsEntry("serviceAccountName", "default");
    Map<String, Object> port = maps(map(r.one("Service"), "spec"), "ports").get(0);
    assertThat(port).doesNotContainKey("nodePort").containsEntry("name", "http");
    assertThat(maps(map(r.one("Service"), "spec"), "ports")).hasSize(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void the_notes_name_the_mode_and_the_admin_api(String name) {
    Helm.Result r =
        Helm.run(
            "install",
            "gatehouse",
            Helm.CHART.toString(),
            "--namespace",
            NS,
            "--dry-run=client",
            "--values",
            values(name).toString());
    assertThat(r.exitCode()).as(r.both()).isZero();
    String notes = r.out().substring(r.out().indexOf("NOTES:"));
    assertThat(notes).contains("(" + values(name, "mode") + ")");
    assertThat(notes)
        .contains(
            values(name, "admin") == null
                ? "The admin REST API is off"
                : "The admin REST API listens");
  }

  // -------------------------------------------------------------------------------------------

  /** The rendered objects of one release. */
  record Rendered(List<Map<String, Object>> docs) {
    List<Map<String, Object>> all(String kind) {
      return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    Map<String, Object> one(String kind) {
      List<Map<String, Object>> all = all(kind);
      assertThat(all).as("one %s", kind).hasSize(1);
      return all.get(0);
    }

    Map<String, Object> named(String kind, String name) {
      return all(kind).stream()
          .filter(d -> name.equals(name(d)))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }
  }

  private static Object values(String name, String key) {
    try {
      Map<String, Object> v =
          new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(values(name)));
      return v.get(key);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static String name(Map<String, Object> obj) {
    return (String) map(obj, "metadata").get("name");
  }

  private static Map<String, Object> config(Map<String, Object> configMap) {
    return new Yaml(new SafeConstructor(new LoaderOptions()))
        .load((String) map(configMap, "data").get("gatehouse.yaml"));
  }

  private static String checksum(String rendered) {
    Map<String, Object> deployment = new Rendered(Helm.documents(rendered)).one("Deployment");
    return (String)
        map(map(map(map(deployment, "spec"), "template"), "metadata"), "annotations")
            .get("checksum/config");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Map<String, Object> m, String key) {
    return (Map<String, Object>) Objects.requireNonNull(m.get(key), key);
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> maps(Map<String, Object> m, String key) {
    return (List<Map<String, Object>>) Objects.requireNonNull(m.get(key), key);
  }
}
