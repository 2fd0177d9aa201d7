package io.gatehouse.k8s.watch.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kubernetes.client.Discovery;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.ApiextensionsV1Api;
import io.kubernetes.client.openapi.models.V1APIResource;
import io.kubernetes.client.openapi.models.V1CustomResourceDefinition;
import io.kubernetes.client.openapi.models.V1CustomResourceDefinitionCondition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The upstream Gateway API CRDs (standard channel of {@code sigs.k8s.io/gateway-api}, {@value
 * #VERSION}), installed into an {@link ApiServerHarness} from the Go module cache: the module is
 * found with {@code go mod download -json} (fetched from the Go module proxy the first time), its
 * {@code config/crd/standard/*.yaml} CRDs are applied as they are (server-side apply: they are too
 * large for kubectl's last-applied annotation), and the call returns once every one is Established
 * and served by discovery. Nothing is copied into the repository.
 */
public final class GatewayCrds {
  public static final String MODULE = "sigs.k8s.io/gateway-api";
  public static final String VERSION = "v1.7.0";

  /** The module needs this Go release (its go.mod); fetched by the go command when absent. */
  public static final String TOOLCHAIN = "go1.27.3";

  private static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(5);
  private static final Pattern DIR = Pattern.compile("\"Dir\":\\s*\"([^\"]+)\"");
  private static Path moduleDir;

  private GatewayCrds() {}

  /** The module's directory in the Go module cache, downloading it once per machine. */
  public static synchronized Path moduleDir() {
    if (moduleDir != null) {
      return moduleDir;
    }
    try {
      Path tmp = Files.createTempDirectory("gatehouse-gateway-api-mod-");
      run(tmp, List.of("go", "mod", "init", "tmp"));
      String json = run(tmp, List.of("go", "mod", "download", "-json", MODULE + "@" + VERSION));
      Matcher m = DIR.matcher(json);
      if (!m.find()) {
        throw new IllegalStateException("go mod download printed no Dir:\n" + json);
      }
      moduleDir = Paths.get(m.group(1));
      return moduleDir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The standard channel's CRD files (not the ValidatingAdmissionPolicy beside them). */
  public static List<Path> standardFiles() {
    Path dir = moduleDir().resolve("config/crd/standard");
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("gateway.networking.k8s.io_"))
          .filter(p -> p.getFileName().toString().endsWith(".yaml"))
          .filter(p -> !p.getFileName().toString().contains("_vap_"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Applies the standard CRDs (idempotent: a second call changes nothing) and waits, at most {@code
   * timeout}, until each is Established and its v1 resources are in discovery.
   */
  public static void installStandard(ApiServerHarness harness, Duration timeout) {
    List<String> names = new ArrayList<>();
    for (Path f : standardFiles()) {
      ApiServerHarness.CommandResult r =
          harness.kubectl(
              Duration.ofSeconds(60),
              "apply",
              "--server-side",
              "--force-conflicts",
              "--field-manager=gatehouse-test",
              "-f",
              f.toString());
      if (r.exitCode() != 0) {
        throw new IllegalStateException("kubectl apply -f " + f + " failed:\n" + r.output());
      }
      // "customresourcedefinition.apiextensions.k8s.io/gateways.gateway.networking.k8s.io ..."
      for (String line : r.output().split("\n")) {
        int slash = line.indexOf('/');
        int space = line.indexOf(' ', Math.max(slash, 0));
        if (line.startsWith("customresourcedefinition") && slash > 0 && space > slash) {
          names.add(line.substring(slash + 1, space));
        }
      }
    }
    awaitServed(harness, names, timeout);
  }

  private static void awaitServed(ApiServerHarness harness, List<String> crds, Duration timeout) {
    ApiextensionsV1Api api = new ApiextensionsV1Api(harness.adminClient());
    Set<String> plurals =
        crds.stream()
            .filter(n -> n.endsWith(".gateway.networking.k8s.io"))
            .map(n -> n.substring(0, n.indexOf('.')))
            .collect(Collectors.toSet());
    await("Gateway API CRDs Established and in discovery")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .ignoreException(ApiException.class)
        .untilAsserted(
            () -> {
              for (String name : crds) {
                assertThat(established(api.readCustomResourceDefinition(name).execute()))
                    .as("%s Established", name)
                    .isTrue();
              }
              assertThat(
                      new Discovery(harness.adminClient())
                              .resourceDiscovery("/apis/gateway.networking.k8s.io/v1")
                              .getResources()
                              .stream()
                              .map(V1APIResource::getName)
                              .collect(Collectors.toSet()))
                  .containsAll(plurals);
            });
  }

  private static boolean established(V1CustomResourceDefinition crd) {
    if (crd.getStatus() == null || crd.getStatus().getConditions() == null) {
      return false;
    }
    for (V1CustomResourceDefinitionCondition c : crd.getStatus().getConditions()) {
      if ("Established".equals(c.getType()) && "True".equals(c.getStatus())) {
        return true;
      }
    }
    return false;
  }

  private static String run(Path dir, List<String> command) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("GOTOOLCHAIN", TOOLCHAIN);
    env.put("GOFLAGS", "-mod=mod");
    Path out = Files.createTempFile("gatehouse-go-", ".out");
    pb.redirectOutput(out.toFile());
    Process p = pb.start();
    try {
      if (!p.waitFor(DOWNLOAD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command) + " took over " + DOWNLOAD_TIMEOUT);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    Files.deleteIfExists(out);
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + text);
    }
    return text;
  }
}
