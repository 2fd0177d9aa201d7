package io.gatehouse.k8s.chart;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The helm CLI for the chart tests: {@code -Dgatehouse.helm.path} or {@code GATEHOUSE_HELM} if set,
 * else the binary {@code k8s/helm/build.sh} builds from the Go module proxy and caches per machine
 * (a fast no-op once cached). When the script says helm cannot be built here (exit 3: no Go), the
 * calling test is skipped with its reason; any other failure fails the test. helm runs with its own
 * config, cache and data directories under {@code target/}, never the user's.
 */
final class Helm {
  static final Path CHART = Path.of("chart/gatehouse");
  static final Path CASES = Path.of("src/test/resources/chart");

  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(30);
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);
  private static final int CANNOT_BUILD = 3;
  private static Path binary;
  private static String skipReason;

  private Helm() {}

  /** One run: exit code, stdout, stderr. */
  record Result(int exitCode, String out, String err) {
    String both() {
      return out + err;
    }
  }

  /** The helm binary; skips the calling test when helm cannot be built on this machine. */
  static synchronized Path binary() {
    if (binary == null && skipReason == null) {
      locate();
    }
    Assumptions.assumeTrue(skipReason == null, () -> skipReason);
    return binary;
  }

  private static void locate() {
    String explicit = System.getProperty("gatehouse.helm.path", System.getenv("GATEHOUSE_HELM"));
    if (explicit != null && !explicit.isBlank()) {
      binary = Paths.get(explicit);
      return;
    }
    // Maven's pre-integration-test has usually built it already (the same script, its progress on
    // the console). The script's last stdout line is the binary's path.
    Result r = exec(List.of("bash", "helm/build.sh"), BUILD_TIMEOUT);
    if (r.exitCode() == CANNOT_BUILD) {
      skipReason =
          "helm cannot be built on this machine, so the chart tests are skipped: "
              + r.err().strip();
      return;
    }
    if (r.exitCode() != 0) {
      throw new IllegalStateException(
          "k8s/helm/build.sh failed (exit " + r.exitCode() + "):\n" + r.err());
    }
    String[] lines = r.out().strip().split("\n");
    binary = Paths.get(lines[lines.length - 1].strip());
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException("k8s/helm/build.sh printed " + binary + ", not executable");
    }
  }

  /** Runs helm with these arguments. */
  static Result run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary().toString());
    command.addAll(List.of(args));
    return exec(command, RUN_TIMEOUT);
  }

  /** {@code helm template gatehouse chart -n NAMESPACE -f VALUES [more args]}; must succeed. */
  static String template(String namespace, Path values, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "template",
                "gatehouse",
                CHART.toString(),
                "--namespace",
                namespace,
                "--values",
                values.toString()));
    args.addAll(List.of(more));
    Result r = run(args.toArray(String[]::new));
    if (r.exitCode() != 0) {
      throw new AssertionError("helm " + String.join(" ", args) + " failed:\n" + r.both());
    }
    return r.out();
  }

  /** The objects of a multi-document YAML stream, in order (empty documents left out). */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> documents(String yaml) {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
      if (doc != null) {
        docs.add((Map<String, Object>) doc);
      }
    }
    return docs;
  }

  private static Result exec(List<String> command, Duration timeout) {
    try {
      Path home = Files.createDirectories(Path.of("target/helm-home").toAbsolutePath());
      Path out = Files.createTempFile(home, "out-", ".txt");
      Path err = Files.createTempFile(home, "err-", ".txt");
      ProcessBuilder pb =
          new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      Map<String, String> env = pb.environment();
      env.put("HELM_CONFIG_HOME", home.resolve("config").toString());
      env.put("HELM_CACHE_HOME", home.resolve("cache").toString());
      env.put("HELM_DATA_HOME", home.resolve("data").toString());
      env.remove("KUBECONFIG");
      Process p = pb.start();
      try {
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException(String.join(" ", command) + " took over " + timeout);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      Result r =
          new Result(
              p.exitValue(),
              Files.readString(out, StandardCharsets.UTF_8),
              Files.readString(err, StandardCharsets.UTF_8));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
