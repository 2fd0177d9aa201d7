package io.gatehouse.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.document.DocumentWriter;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.CanaryRule;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Limits;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.Timeouts;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.ValidCertificate;
import io.gatehouse.validate.Validated;
import io.kubernetes.client.openapi.models.V1Service;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Each directory under {@code src/test/resources/translate/} is a case: {@code in.yaml} (the
 * cluster) translates to {@code out.yaml} (routes with the Service ports they refer to, the
 * endpoints the node's feed computes for those ports, certificate metadata without keys, problems
 * and owned Ingresses). Regenerate every {@code out.yaml} with {@code
 * -Dgatehouse.golden.update=true} and review the diff.
 */
class IngressTranslatorGoldenTest {
  private static final Path CASES = Path.of("src/test/resources/translate");
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
    Fixtures.Case c = Fixtures.read(Files.readString(dir.resolve("in.yaml")));
    // a case holding ingress-nginx/ingress-nginx-controller (the Helm chart's name) reads it as
    // the controller ConfigMap; the others run without one
    IngressTranslator translator =
        new IngressTranslator(
            "",
            CLOCK,
            c.policy(),
            c.state().configMap("ingress-nginx", "ingress-nginx-controller").isPresent()
                ? "ingress-nginx/ingress-nginx-controller"
                : "");
    Translation t = translator.translate(c.state(), c.claims());
    String actual = render(t, c);
    Path out = dir.resolve("out.yaml");
    if (UPDATE) {
      Files.writeString(out, actual, StandardCharsets.UTF_8);
    }
    assertThat(out).as("out.yaml exists (run with -Dgatehouse.golden.update=true)").exists();
    assertThat(actual).isEqualTo(Files.readString(out));
    // pure: the same input gives the same output
    assertThat(render(translator.translate(c.state(), c.claims()), c)).isEqualTo(actual);
  }

  /**
   * Routes show the Service port they refer to; the {@code endpoints} section shows what the node's
   * endpoint feed computes for each such port from the same cluster ({@link ServiceEndpoints} under
   * the case's policy), so a case still shows where its requests go.
   */
  static String render(Translation t, Fixtures.Case in) {
    Map<String, Object> root = new LinkedHashMap<>();
    List<Object> routes = new ArrayList<>();
    Map<String, Object> endpoints = new TreeMap<>();
    ServiceEndpoints rules = IngressTranslator.serviceEndpoints(in.policy());
    for (RouteSpec r : t.routes()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", r.key().toString());
      m.put("hosts", new ArrayList<>(r.hosts()));
      m.put("paths", r.paths().stream().map(p -> p.type() + " " + p.value()).toList());
      BackendRef ref = r.backends().get(0).ref();
      if (r.backends().size() > 1) {
        // a canary's split: each Service port with its weight, the protocol they share
        List<String> split = new ArrayList<>();
        for (RouteBackend b : r.backends()) {
          if (b.ref() instanceof BackendSpec spec) {
            // service-upstream's ClusterIP on the primary
            split.add("endpoints " + authorities(spec.endpoints()) + " weight " + b.weight());
            continue;
          }
          BackendRef.ServicePort sp = (BackendRef.ServicePort) b.ref();
          String service = service(r.key().tenant().value(), sp);
          split.add("service " + service + " weight " + b.weight() + canary(b.canary()));
          if (ref instanceof BackendRef.ServicePort first) {
            // one protocol and one upstream TLS for the whole split
            assertThat(sp.protocol()).isEqualTo(first.protocol());
            assertThat(sp.tls()).isEqualTo(first.tls());
          }
          upstreamTls(m, sp.tls());
          endpoints.computeIfAbsent(
              service, s -> authorities(endpointsOf(in, rules, r.key().tenant().value(), sp)));
        }
        m.put("backends", split);
        m.put(
            "protocol",
            ref instanceof BackendSpec spec
                ? spec.protocol().toString()
                : ((BackendRef.ServicePort) ref).protocol().toString());
      } else if (ref instanceof BackendRef.ServicePort sp) {
        String service = service(r.key().tenant().value(), sp);
        m.put("backend", "service " + service);
        m.put("protocol", sp.protocol().toString());
        upstreamTls(m, sp.tls());
        endpoints.computeIfAbsent(
            service, s -> authorities(endpointsOf(in, rules, r.key().tenant().value(), sp)));
      } else {
        assertThat(r.backends()).hasSize(1);
        BackendSpec b = (BackendSpec) ref;
        m.put("protocol", b.protocol().toString());
        m.put("endpoints", authorities(b.endpoints()));
        upstreamTls(m, b.tls());
      }
      Map<String, Object> policy = backendPolicy(r);
      if (!policy.isEmpty()) {
        m.put("backendPolicy", policy);
      }
      if (!r.timeouts().equals(Timeouts.DEFAULTS)) {
        Map<String, Object> tm = new LinkedHashMap<>();
        tm.put("connect", r.timeouts().connect().toString());
        tm.put("response", r.timeouts().response().toString());
        tm.put("bodyIdle", r.timeouts().bodyIdle().toString());
        tm.put("request", r.timeouts().request().toString());
        m.put("timeouts", tm);
      }
      if (r.limits().maxRequestBodyBytes() != Limits.DEFAULT_MAX_REQUEST_BODY) {
        m.put("maxRequestBodyBytes", r.limits().maxRequestBodyBytes());
      }
      if (r.limits().maxResponseHeaderBytes() != 0) {
        m.put("maxResponseHeaderBytes", r.limits().maxResponseHeaderBytes());
      }
      if (r.priority() != 0) {
        m.put("priority", r.priority());
      }
      if (r.tls() != null) {
        Map<String, Object> tls = new LinkedHashMap<>();
        tls.put("hosts", new ArrayList<>(r.tls().hosts()));
        if (r.tls().passthrough()) {
          tls.put("passthrough", true);
        }
        tls.put("certificate", r.tls().certificateName());
        tls.put("redirect", r.tls().redirect().toString());
        if (r.tls().hsts().enabled()) {
          tls.put("hsts", r.tls().hsts().headerValue());
        }
        if (r.tls().clientAuth().enabled()) {
          tls.put("clientAuth", clientAuth(r.tls().clientAuth()));
        }
        m.put("tls", tls);
      }
      List<PolicySpec> access = r.policies().stream().filter(AccessRender::isAccess).toList();
      if (!access.isEmpty()) {
        m.put("access", new ArrayList<>(access.stream().map(AccessRender::render).toList()));
      }
      List<PolicySpec> others =
          r.policies().stream().filter(p -> !AccessRender.isAccess(p)).toList();
      if (!others.isEmpty()) {
        // in the route document's form, as the routes file and REST write them
        m.put(
            "policies",
            new ObjectMapper()
                .convertValue(
                    DocumentWriter.route(r.withPolicies(others)).get("policies"), List.class));
      }
      routes.add(m);
    }
    root.put("routes", routes);
    root.put("endpoints", endpoints);
    List<Object> certs = new ArrayList<>();
    for (CertificateSpec c : t.certificates()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", c.key().toString());
      Validated<ValidCertificate> v = CertificateValidator.validate(c, CLOCK);
      m.put("dnsNames", new ArrayList<>(v.isValid() ? v.value().dnsNames() : List.of("INVALID")));
      certs.add(m);
    }
    root.put("certificates", certs);
    List<Object> problems = new ArrayList<>();
    for (IngressProblem p : t.problems()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ingress", p.ingress().toString());
      m.put("reason", p.reason());
      m.put("message", p.message());
      problems.add(m);
    }
    root.put("problems", problems);
    if (!t.controllerProblems().isEmpty()) {
      List<Object> controller = new ArrayList<>();
      for (IngressProblem p : t.controllerProblems()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("configMap", p.ingress().toString());
        m.put("reason", p.reason());
        m.put("message", p.message());
        controller.add(m);
      }
      root.put("controllerProblems", controller);
    }
    root.put("owned", t.owned().stream().map(IngressRef::toString).sorted().toList());
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    o.setWidth(1000);
    o.setIndicatorIndent(0);
    return new Yaml(o).dump(root);
  }

  /**
   * The first backend's policy in the route document's form (issue #14), empty for none; a canary
   * split's backends share it.
   */
  private static Map<String, Object> backendPolicy(RouteSpec r) {
    JsonNode doc = DocumentWriter.route(r);
    JsonNode b = doc.has("backend") ? doc.get("backend") : doc.get("backendRefs").get(0);
    Map<String, Object> out = new LinkedHashMap<>();
    for (String k : List.of("loadBalancing", "healthCheck", "outlierDetection", "circuitBreaker")) {
      if (b.has(k)) {
        out.put(k, new ObjectMapper().convertValue(b.get(k), Object.class));
      }
    }
    return out;
  }

  private static String service(String namespace, BackendRef.ServicePort sp) {
    return namespace
        + "/"
        + sp.service()
        + ":"
        + (sp.portName() != null ? sp.portName() : sp.port());
  }

  /** What the node's feed puts for the key of {@code sp}: none for a missing Service or port. */
  private static List<Endpoint> endpointsOf(
      Fixtures.Case c, ServiceEndpoints rules, String namespace, BackendRef.ServicePort sp) {
    Optional<V1Service> svc = c.state().service(namespace, sp.service());
    if (svc.isEmpty() || svc.get().getSpec() == null) {
      return List.of();
    }
    Integer number = sp.portName() == null ? sp.port() : null;
    ServiceEndpoints.Result result =
        rules.compute(
            svc.get(), number, sp.portName(), c.state().endpointSlices(namespace, sp.service()));
    return result instanceof ServiceEndpoints.Endpoints e ? e.endpoints() : List.of();
  }

  /**
   * A backend's TLS as the golden files show it (issue #16): CA subjects and the client
   * certificate's subject, never a key; once per route (a canary split shares the primary's).
   */
  private static void upstreamTls(Map<String, Object> m, @Nullable UpstreamTls t) {
    if (t == null || m.containsKey("upstreamTls")) {
      return;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    if (t.insecureSkipVerify()) {
      out.put("verify", false);
    } else {
      out.put("verify", true);
      out.put(
          "cas",
          t.caBundlePem() == null
              ? List.of("JDK")
              : new ArrayList<>(
                  CertificateValidator.validateCaBundle("ca", t.caBundlePem()).value().stream()
                      .map(x -> x.getSubjectX500Principal().getName())
                      .toList()));
      out.put("verifyHostname", t.verifyHostname());
      if (t.serverName() != null) {
        out.put("serverName", t.serverName());
      }
    }
    if (t.clientCertificate() != null) {
      out.put(
          "clientCertificate",
          CertificateValidator.validateClientCertificate("c.", t.clientCertificate())
              .value()
              .chain()
              .get(0)
              .getSubjectX500Principal()
              .getName());
    }
    m.put("upstreamTls", out);
  }

  /** A fresh list: SnakeYAML would write a shared instance as an alias. */
  private static List<String> authorities(List<Endpoint> endpoints) {
    return new ArrayList<>(endpoints.stream().map(Endpoint::authority).toList());
  }

  /** Client certificates as the golden files show them: the CA's subject, never its text. */
  private static Map<String, Object> clientAuth(ClientAuth c) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("mode", c.mode().toString());
    Validated<List<X509Certificate>> cas =
        CertificateValidator.validateCaBundle("ca", c.caBundlePem());
    out.put(
        "cas",
        cas.isValid()
            ? new ArrayList<>(
                cas.value().stream().map(x -> x.getSubjectX500Principal().getName()).toList())
            : List.of("INVALID"));
    out.put("verifyDepth", c.verifyDepth());
    out.put("passCertificate", c.passCertificate());
    return out;
  }

  /** A canary rule as the golden files show it: each key it sets, in the model's order. */
  private static String canary(CanaryRule c) {
    if (c == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(" canary");
    if (c.header() != null) {
      b.append(" header=").append(c.header());
    }
    if (c.headerValue() != null) {
      b.append(" headerValue=").append(c.headerValue());
    }
    if (c.headerPattern() != null) {
      b.append(" headerPattern=").append(c.headerPattern());
    }
    if (c.cookie() != null) {
      b.append(" cookie=").append(c.cookie());
    }
    return b.toString();
  }
}
