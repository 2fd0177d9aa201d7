package io.gatehouse.k8s.translate;

import io.gatehouse.model.HostClaim;
import io.gatehouse.model.TenantId;
import io.gatehouse.validate.EndpointPolicy;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressClass;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads a translator case: Kubernetes objects as YAML documents, plus test-only documents {@code
 * kind: HostClaim} ({@code host}, {@code tenant}) for claims the admin API made, and at most one
 * {@code kind: UpstreamPolicy} ({@code deniedUpstreams}, {@code allowLoopbackExternalNames}) for
 * the operator's settings (else the defaults). A Secret's {@code stringData} becomes its {@code
 * data}, and the values {@code "@cert <dns names...>"} (add {@code expired} first for an expired
 * one) and {@code "@key"} are replaced by a fresh self-signed certificate and its key, so no key
 * material is committed.
 */
final class Fixtures {
  private Fixtures() {}

  record Case(ListedClusterState state, Map<String, HostClaim> claims, EndpointPolicy policy) {}

  @SuppressWarnings("unchecked")
  static Case read(String yaml) {
    JSON json = new JSON();
    List<V1IngressClass> classes = new ArrayList<>();
    List<V1Ingress> ingresses = new ArrayList<>();
    List<V1Service> services = new ArrayList<>();
    List<V1EndpointSlice> slices = new ArrayList<>();
    List<V1Secret> secrets = new ArrayList<>();
    List<V1ConfigMap> configMaps = new ArrayList<>();
    Map<String, HostClaim> claims = new LinkedHashMap<>();
    EndpointPolicy policy = IngressTranslator.upstreamPolicy(List.of(), false);
    Yaml snake = new Yaml(new SafeConstructor(new LoaderOptions()));
    for (Object doc : snake.loadAll(yaml)) {
      if (doc == null) {
        continue;
      }
      Map<String, Object> m = (Map<String, Object>) doc;
      String kind = String.valueOf(m.get("kind"));
      if (kind.equals("Secret")) {
        secretData(m);
      }
      String text = json.serialize(m);
      switch (kind) {
        case "IngressClass" -> classes.add(json.deserialize(text, V1IngressClass.class));
        case "Ingress" -> ingresses.add(json.deserialize(text, V1Ingress.class));
        case "Service" -> services.add(json.deserialize(text, V1Service.class));
        case "EndpointSlice" -> slices.add(json.deserialize(text, V1EndpointSlice.class));
        case "Secret" -> secrets.add(json.deserialize(text, V1Secret.class));
        case "ConfigMap" -> configMaps.add(json.deserialize(text, V1ConfigMap.class));
        case "HostClaim" -> {
          String host = (String) m.get("host");
          claims.put(host, new HostClaim(host, TenantId.of((String) m.get("tenant"))));
        }
        case "UpstreamPolicy" ->
            policy =
                IngressTranslator.upstreamPolicy(
                    (List<String>) m.getOrDefault("deniedUpstreams", List.of()),
                    Boolean.TRUE.equals(m.get("allowLoopbackExternalNames")));
        default -> throw new IllegalArgumentException("unknown kind in fixture: " + kind);
      }
    }
    return new Case(
        new ListedClusterState(classes, ingresses, services, slices, secrets, configMaps),
        claims,
        policy);
  }

  @SuppressWarnings("unchecked")
  private static void secretData(Map<String, Object> secret) {
    Map<String, Object> string = (Map<String, Object>) secret.remove("stringData");
    if (string == null) {
      return;
    }
    Map<String, Object> data = new HashMap<>();
    TestCertificates.Pair pair = null;
    String cert = (String) string.get("tls.crt");
    if (cert != null && cert.startsWith("@cert ")) {
      List<String> words = new ArrayList<>(Arrays.asList(cert.substring(6).trim().split("\\s+")));
      boolean expired = words.remove("expired");
      pair = TestCertificates.selfSigned(words, expired);
    }
    for (Map.Entry<String, Object> e : string.entrySet()) {
      String v = String.valueOf(e.getValue());
      if (pair != null && v.startsWith("@cert") && e.getKey().equals("tls.crt")) {
        v = pair.certificatePem();
      } else if (pair != null && v.equals("@key")) {
        v = pair.keyPem();
      } else if (v.startsWith("@cert ")) {
        // a CA bundle (ca.crt, also beside a tls.crt): a certificate of its own
        v =
            TestCertificates.selfSigned(Arrays.asList(v.substring(6).trim().split("\\s+")), false)
                .certificatePem();
      } else if (v.equals("@otherkey")) {
        v = TestCertificates.selfSigned(List.of("other.invalid"), false).keyPem();
      }
      data.put(
          e.getKey(),
          java.util.Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.US_ASCII)));
    }
    secret.put("data", data);
  }
}
