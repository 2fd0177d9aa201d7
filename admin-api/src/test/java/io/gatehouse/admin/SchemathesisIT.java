package io.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schemathesis against a live admin API: generated requests from the contract, failing on any 5xx
 * and on any answer the contract does not describe (status, content type, schema, headers). The
 * tool is pip-installed once, pinned, into a virtualenv under ~/.cache/gatehouse. Skip with {@code
 * -Dschemathesis.skip=true} (no Python or no network to PyPI).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SchemathesisIT {
  static final String VERSION = "4.32.5";
  static final int MAX_EXAMPLES = Integer.getInteger("schemathesis.maxExamples", 15);

  @Test
  void the_live_api_keeps_its_contract(@TempDir Path tmp) throws Exception {
    if (Boolean.getBoolean("schemathesis.skip")) {
      return;
    }
    Path cli = install();
    Path spec = tmp.resolve("gatehouse-admin-v1.yaml");
    Files.writeString(spec, AdminApiVerticle.contractText());
    try (AdminApiFixture f = new AdminApiFixture();
        // A router that serves each generation at once, so wait=all answers without waiting.
        AutoCloseable served = f.table.subscribe(v -> f.table.served(v.generation()))) {
      String t = f.tenantWithToken("acme");
      f.put("/v1/tenants/acme/host-claims/www.acme.example", t, null);
      List<String> cmd =
          List.of(
              cli.toString(),
              "run",
              spec.toString(),
              "--url",
              f.base(),
              "--header",
              "Authorization: Bearer " + AdminApiFixture.ADMIN,
              "--checks",
              "not_a_server_error,status_code_conformance,content_type_conformance,"
                  + "response_schema_conformance,response_headers_conformance",
              // The stateful phase alone takes minutes on 2 cores; links are not declared anyway.
              "--phases",
              "examples,coverage,fuzzing",
              "--max-examples",
              Integer.toString(MAX_EXAMPLES),
              "--workers",
              "1",
              "--request-timeout",
              "10",
              "--seed",
              "20261122",
              "--generation-deterministic",
              "--no-color");
      Result r = run(cmd, tmp, 180);
      assertThat(r.exit()).as(r.output()).isZero();
    }
  }

  private static Path install() throws Exception {
    Path venv =
        Path.of(System.getProperty("user.home"), ".cache", "gatehouse", "schemathesis-" + VERSION);
    Path cli = venv.resolve("bin").resolve("schemathesis");
    if (Files.isExecutable(cli)) {
      return cli;
    }
    Files.createDirectories(venv.getParent());
    Result mk = run(List.of("python3", "-m", "venv", venv.toString()), venv.getParent(), 120);
    assertThat(mk.exit()).as(mk.output()).isZero();
    Result pip =
        run(
            List.of(
                venv.resolve("bin").resolve("pip").toString(),
                "install",
                "-q",
                "schemathesis==" + VERSION),
            venv.getParent(),
            300);
    assertThat(pip.exit()).as(pip.output()).isZero();
    return cli;
  }

  record Result(int exit, String output) {}

  private static Result run(List<String> cmd, Path dir, long timeoutSeconds)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("gatehouse-st", ".log");
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, "timed out: " + Files.readString(log, StandardCharsets.UTF_8));
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    Files.deleteIfExists(log);
    System.out.println(out);
    return new Result(p.exitValue(), out);
  }
}
