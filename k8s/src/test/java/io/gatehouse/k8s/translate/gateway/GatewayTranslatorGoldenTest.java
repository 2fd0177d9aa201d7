package io.gatehouse.k8s.translate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.document.DocumentWriter;
import io.gatehouse.k8s.translate.IngressProblem;
import io.gatehouse.k8s.translate.IngressTranslator;
import io.gatehouse.k8s.translate.TestCertificates;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.validate.ListenerValidator;
import io.gatehouse.validate.RouteValidator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Each directory under {@code src/test/resources/gateway-golden/} is a case: {@code in.yaml} (the
 * cluster, {@link GatewayFixtures}) translates through {@link Translations#of} to {@code out.yaml}:
 * the Gateway API routes in the route document's form, certificate keys, every status, and the
 * Ingress side's routes and problems where a case has Ingresses. Regenerate with {@code
 * -Dgatehouse.golden.update=true} and review the diff.
 */
class GatewayTranslatorGoldenTest {
  private static final Path CASES = Path.of("src/test/resources/gateway-golden");
  private static final Clock CLOCK = Clock.fixed(TestCertificates.FIXTURE_NOW, ZoneOffset.UTC);
  private static final boolean UPDATE = Boolean.getBoolean("gatehouse.golden.update");

  static Stream<String> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(CASES)) {
      return dirs
          .filter(Files::isDirectory)
          .map(d -> d.getFileName().toString())
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void each_golden_case_translates_as_recorded(String name) throws IOException {
    Path dir = CASES.resolve(name);
    GatewayFixtures.Case c = GatewayFixtures.read(Files.readString(dir.resolve("in.yaml")));
    String actual = render(translate(c));
    Path out = dir.resolve("out.yaml");
    if (UPDATE) {
      Files.writeString(out, actual, StandardCharsets.UTF_8);
    }
    assertThat(out).as("out.yaml exists (run with -Dgatehouse.golden.update=true)").exists();
    assertThat(actual).isEqualTo(Files.readString(out));
    // pure: the same input gives the same output
    assertThat(render(translate(c))).isEqualTo(actual);
  }

  static Translations translate(GatewayFixtures.Case c) {
    return Translations.of(
        new IngressTranslator("", CLOCK),
        new GatewayTranslator(c.settings(), CLOCK),
        c.cluster(),
        c.gateways(),
        c.claims());
  }

  /** PEM text (CA bundles, client certificates: fresh each run) as the number of its blocks. */
  @SuppressWarnings("unchecked")
  static <T> T withoutPem(T value) {
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), withoutPem(v)));
      return (T) out;
    }
    if (value instanceof List<?> l) {
      return (T) l.stream().map(GatewayTranslatorGoldenTest::withoutPem).toList();
    }
    if (value instanceof String s && s.contains("-----BEGIN ")) {
      int blocks = s.split("-----BEGIN ", -1).length - 1;
      return (T) ("<PEM, " + blocks + " blocks>");
    }
    return value;
  }

  static String render(Translations t) {
    Map<String, Object> root = new LinkedHashMap<>();
    ObjectMapper json = new ObjectMapper();
    List<Object> routes = new ArrayList<>();
    for (RouteSpec r : t.gateway().routes()) {
      // every route shipped is one the model accepts as it is
      assertThat(RouteValidator.validate(r).violations()).as(r.key().toString()).isEmpty();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", r.key().toString());
      m.put("from", t.gateway().origins().get(r.key()).toString());
      if (r.listener() != null) {
        m.put("listener", r.listener().toString());
      }
      if (r.wildcardsAnyDepth()) {
        m.put("wildcardsAnyDepth", true);
      }
      m.putAll(withoutPem(json.convertValue(DocumentWriter.route(r), Map.class)));
      routes.add(m);
    }
    root.put("routes", routes);
    if (!t.gateway().listeners().isEmpty()) {
      root.put(
          "listeners",
          t.gateway().listeners().stream()
              .map(
                  l ->
                      l.key()
                          + " "
                          + l.protocol()
                          + " "
                          + (l.address().contains(":") ? "[" + l.address() + "]" : l.address())
                          + ":"
                          + l.port()
                          + (l.defaultCertificate() == null
                              ? ""
                              : " default " + l.defaultCertificate())
                          + (l.clientValidation() == null
                              ? ""
                              : l.clientValidation().insecureFallback()
                                  ? " clients AllowInsecureFallback"
                                  : " clients AllowValidOnly")
                          + (l.hostnames().isEmpty()
                              ? ""
                              : " hostnames "
                                  + l.hostnames().stream()
                                      .map(h -> h.isEmpty() ? "(none)" : h)
                                      .toList()))
              .toList());
      // every socket shipped is one the model accepts as it is
      t.gateway()
          .listeners()
          .forEach(
              l ->
                  assertThat(ListenerValidator.validate(l).violations())
                      .as(l.key().toString())
                      .isEmpty());
    }
    List<String> certs = new ArrayList<>();
    for (CertificateSpec s : t.gateway().certificates()) {
      certs.add(s.key().toString());
    }
    if (!certs.isEmpty()) {
      root.put("certificates", certs);
    }
    List<Object> statuses = new ArrayList<>();
    for (ObjectStatus s : t.gateway().statuses()) {
      statuses.add(StatusRender.render(s));
    }
    root.put("statuses", statuses);
    root.put("hosts", new LinkedHashMap<>(new java.util.TreeMap<>(t.gateway().hosts())));
    if (!t.ingress().routes().isEmpty() || !t.ingress().problems().isEmpty()) {
      Map<String, Object> ingress = new LinkedHashMap<>();
      ingress.put(
          "routes",
          t.ingress().routes().stream()
              .map(r -> r.key() + " " + (r.hosts().isEmpty() ? "*" : String.join(",", r.hosts())))
              .toList());
      List<String> problems = new ArrayList<>();
      for (IngressProblem p : t.ingress().problems()) {
        problems.add(p.ingress() + " " + p.reason() + ": " + p.message());
      }
      ingress.put("problems", problems);
      root.put("ingress", ingress);
    }
    // through JSON once: shared lists would otherwise print as YAML anchors
    Object tree;
    try {
      tree = json.readValue(json.writeValueAsString(root), LinkedHashMap.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    o.setWidth(100);
    return new Yaml(o).dump(tree);
  }
}
