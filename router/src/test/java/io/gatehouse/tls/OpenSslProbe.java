package io.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code openssl s_client} against a listener: one handshake per protocol and suite, to prove
 * which ones a server accepts. Each probe runs with stdin closed, under a timeout, with an empty
 * OpenSSL configuration so the system's settings (security level, minimum version) never stop the
 * client from offering what the probe asks for.
 */
final class OpenSslProbe {
  /** The s_client flags, by the version name the server reports. */
  static final Map<String, String> VERSIONS =
      Map.of("TLSv1", "-tls1", "TLSv1.1", "-tls1_1", "TLSv1.2", "-tls1_2", "TLSv1.3", "-tls1_3");

  /** Every TLS 1.3 suite OpenSSL implements (CCM ones are off in its default list). */
  static final List<String> TLS13_SUITES =
      List.of(
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_AES_128_CCM_SHA256",
          "TLS_AES_128_CCM_8_SHA256");

  private final Path emptyConfig;

  private OpenSslProbe(Path emptyConfig) {
    this.emptyConfig = emptyConfig;
  }

  /** A probe, or the test skipped (with the reason) when {@code openssl} is not on the PATH. */
  static OpenSslProbe require(Path dir) throws IOException {
    assumeThat(onPath("openssl")).as("openssl is not on PATH: the TLS scan needs it").isTrue();
    Path conf = dir.resolve("empty-openssl.cnf");
    Files.writeString(conf, "");
    return new OpenSslProbe(conf);
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String d : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, command))) {
        return true;
      }
    }
    return false;
  }

  /** One handshake's outcome: what was asked, and what the server agreed to (or null, null). */
  record Result(String version, String suite, String gotVersion, String gotSuite, String output) {
    boolean accepted() {
      return gotVersion != null;
    }
  }

  /**
   * TLS 1.0-1.2 suites OpenSSL can offer in {@code version}, as IANA name to OpenSSL name. PSK and
   * SRP suites are left out: a client without a PSK or SRP identity does not offer them.
   */
  Map<String, String> suites(String version) throws Exception {
    String out =
        run(
            List.of(
                "openssl",
                "ciphers",
                "-stdname",
                "-s",
                VERSIONS.get(version),
                "ALL:COMPLEMENTOFALL:@SECLEVEL=0"),
            "");
    Map<String, String> suites = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 5 || !f[1].equals("-") || f[0].startsWith("TLS_AES_")) {
        continue;
      }
      if (line.contains("PSK") || line.contains("SRP") || f[0].startsWith("TLS_CHACHA20_")) {
        continue;
      }
      suites.put(f[0], f[2]);
    }
    assertThat(suites).as("openssl ciphers for " + version).isNotEmpty();
    return suites;
  }

  /**
   * Probes every version and every suite OpenSSL knows against {@code port} with SNI {@code host};
   * returns the accepted pairs as {@code "TLSv1.2 TLS_ECDHE_..."}.
   */
  Set<String> scan(int port, String host) throws Exception {
    List<List<String>> probes = new ArrayList<>();
    List<String[]> asked = new ArrayList<>();
    for (String version : List.of("TLSv1", "TLSv1.1", "TLSv1.2")) {
      for (Map.Entry<String, String> s : suites(version).entrySet()) {
        probes.add(command(port, host, version, List.of("-cipher", s.getValue() + ":@SECLEVEL=0")));
        asked.add(new String[] {version, s.getKey(), s.getValue()});
      }
    }
    for (String suite : TLS13_SUITES) {
      probes.add(command(port, host, "TLSv1.3", List.of("-ciphersuites", suite)));
      asked.add(new String[] {"TLSv1.3", suite, suite});
    }
    List<Result> results = runAll(probes, asked);
    Set<String> accepted = new TreeSet<>();
    for (Result r : results) {
      if (r.accepted()) {
        assertThat(r.gotVersion() + " " + r.gotSuite())
            .as("the server agreed to what was asked")
            .isEqualTo(r.version() + " " + suiteOpenSslName(r, asked));
        accepted.add(r.version() + " " + r.suite());
      }
    }
    return accepted;
  }

  private static String suiteOpenSslName(Result r, List<String[]> asked) {
    for (String[] a : asked) {
      if (a[0].equals(r.version()) && a[1].equals(r.suite())) {
        return a[2];
      }
    }
    throw new AssertionError("not asked: " + r);
  }

  /** One handshake with {@code extra} flags (e.g. {@code -groups P-384}); null host: no SNI. */
  Result handshake(int port, String host, String version, List<String> extra) throws Exception {
    return runAll(
            List.of(command(port, host, version, extra)),
            List.<String[]>of(new String[] {version, "", ""}))
        .get(0);
  }

  /**
   * Sends {@code request} over one connection and returns what came back (the server's answer is in
   * it); null host: no SNI.
   */
  String exchange(int port, String host, String version, String request) throws Exception {
    return run(command(port, host, version, List.of("-ign_eof", "-quiet")), request);
  }

  /** As {@link #exchange}, with s_client's report of the session (tickets that arrived). */
  String exchangeVerbose(int port, String host, String version, String request) throws Exception {
    return run(command(port, host, version, List.of("-ign_eof")), request);
  }

  private static List<String> command(int port, String host, String version, List<String> extra) {
    List<String> cmd = new ArrayList<>();
    cmd.addAll(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
    if (host == null) {
      cmd.add("-noservername");
    } else {
      cmd.addAll(List.of("-servername", host));
    }
    cmd.add(VERSIONS.get(version));
    cmd.addAll(extra);
    return cmd;
  }

  private List<Result> runAll(List<List<String>> probes, List<String[]> asked) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> outs = new ArrayList<>();
      for (List<String> p : probes) {
        outs.add(pool.submit(() -> run(p, null)));
      }
      List<Result> results = new ArrayList<>();
      for (int i = 0; i < probes.size(); i++) {
        String out = outs.get(i).get(60, TimeUnit.SECONDS);
        String[] a = asked.get(i);
        // The client must really have offered it: these mean the probe never asked the server.
        assertThat(out)
            .as("probe %s", probes.get(i))
            .contains("CONNECTED")
            .doesNotContain("no ciphers available")
            .doesNotContain("no protocols available")
            .doesNotContain("no cipher match");
        String got = null;
        String suite = null;
        for (String line : out.split("\n")) {
          // "New, TLSv1.2, Cipher is ECDHE-RSA-AES128-GCM-SHA256"; "(NONE)" when none agreed
          if (line.startsWith("New, ") && line.contains(", Cipher is ")) {
            String[] f = line.split(", ");
            if (!f[2].equals("Cipher is (NONE)")) {
              got = f[1];
              suite = f[2].substring("Cipher is ".length());
            }
          }
        }
        results.add(new Result(a[0], a[1], got, suite, out));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Runs {@code cmd} with {@code input} (null: stdin closed); stdout and stderr together. */
  private String run(List<String> cmd, String input) throws Exception {
    Path out = Files.createTempFile(emptyConfig.getParent(), "probe", ".out");
    try {
      ProcessBuilder b =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
      b.environment().put("OPENSSL_CONF", emptyConfig.toString());
      if (input == null) {
        b.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      }
      Process p = b.start();
      if (input != null) {
        try (var in = p.getOutputStream()) {
          in.write(input.getBytes(StandardCharsets.US_ASCII));
        }
      }
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + cmd);
      }
      return Files.readString(out, StandardCharsets.ISO_8859_1);
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
