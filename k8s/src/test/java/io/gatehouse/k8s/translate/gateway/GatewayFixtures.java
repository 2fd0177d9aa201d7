package io.gatehouse.k8s.translate.gateway;

import io.gatehouse.k8s.translate.ListedClusterState;
import io.gatehouse.k8s.translate.TestCertificates;
import io.gatehouse.model.HostClaim;
import io.gatehouse.model.TenantId;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressClass;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads a Gateway API case: Kubernetes objects as YAML documents (the Gateway API kinds, Namespace,
 * Service, EndpointSlice, Secret, ConfigMap, Ingress, IngressClass), plus test-only documents
 * {@code kind: HostClaim} ({@code host}, {@code tenant}) and at most one {@code kind: Settings}
 * ({@code addresses}, {@code httpPort}, {@code httpsPort}, {@code pool}, {@code ports}; else
 * address 192.0.2.10, ports 80 and 443, no pool). A Secret's {@code stringData} value {@code "@cert
 * <dns names...>"} (no names: {@code CN=default} without subjectAltName) and {@code "@key"} become
 * a fresh self-signed certificate and its key; a ConfigMap's {@code data} value {@code "@cert"} a
 * fresh self-signed certificate, {@code "@ca <name>"} one for that name.
 */
final class GatewayFixtures {
  private GatewayFixtures() {}

  record Case(
      ListedClusterState cluster,
      ListedGatewayState gateways,
      Map<String, HostClaim> claims,
      GatewaySettings settings) {}

  @SuppressWarnings("unchecked")
  static Case read(String yaml) {
    JSON json = new JSON();
    Map<GatewayKind, List<Map<String, Object>>> objects = new EnumMap<>(GatewayKind.class);
    for (GatewayKind k : GatewayKind.values()) {
      objects.put(k, new ArrayList<>());
    }
    List<V1Namespace> namespaces = new ArrayList<>();
    List<V1IngressClass> classes = new ArrayList<>();
    List<V1Ingress> ingresses = new ArrayList<>();
    List<V1Service> services = new ArrayList<>();
    List<V1EndpointSlice> slices = new ArrayList<>();
    List<V1Secret> secrets = new ArrayList<>();
    List<V1ConfigMap> configMaps = new ArrayList<>();
    Map<String, HostClaim> claims = new LinkedHashMap<>();
    GatewaySettings settings = GatewaySettings.defaults(List.of("192.0.2.10"));
    Yaml snake = new Yaml(new SafeConstructor(new LoaderOptions()));
    for (Object doc : snake.loadAll(yaml)) {
      if (doc == null) {
        continue;
      }
      Map<String, Object> m = (Map<String, Object>) plain(doc);
      String kind = String.valueOf(m.get("kind"));
      GatewayKind gk = null;
      for (GatewayKind k : GatewayKind.values()) {
        if (k.kind().equals(kind)) {
          gk = k;
        }
      }
      if (gk != null) {
        // as the API server returns them: a generation, and JSON numbers as Long or Double
        Map<String, Object> meta = (Map<String, Object>) m.get("metadata");
        meta.putIfAbsent("generation", 1);
        objects.get(gk).add(m);
        continue;
      }
      if (kind.equals("Secret")) {
        secretData(m);
      }
      if (kind.equals("ConfigMap")) {
        configMapData(m);
      }
      String text = json.serialize(m);
      switch (kind) {
        case "Namespace" -> namespaces.add(json.deserialize(text, V1Namespace.class));
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
        case "Settings" ->
            settings =
                new GatewaySettings(
                        GatewaySettings.CONTROLLER,
                        (List<String>) m.getOrDefault("addresses", List.of()),
                        ((Number) m.getOrDefault("httpPort", 80)).intValue(),
                        ((Number) m.getOrDefault("httpsPort", 443)).intValue())
                    .withPool(
                        (List<String>) m.getOrDefault("pool", List.of()),
                        (List<Integer>) m.getOrDefault("ports", GatewaySettings.DEFAULT_PORTS));
        default -> throw new IllegalArgumentException("unknown kind in fixture: " + kind);
      }
    }
    return new Case(
        new ListedClusterState(classes, ingresses, services, slices, secrets, configMaps),
        new ListedGatewayState(objects, namespaces),
        claims,
        settings);
  }

  /** YAML timestamps (read as Date) back to the RFC 3339 strings the API server sends. */
  private static Object plain(Object o) {
    if (o instanceof java.util.Date d) {
      return d.toInstant().toString();
    }
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
      return out;
    }
    if (o instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(v -> out.add(plain(v)));
      return out;
    }
    return o;
  }

  /**
   * A ConfigMap's {@code data} value {@code "@cert"} becomes a fresh self-signed certificate (a CA
   * of {@code ca.example}), {@code "@ca <name>"} one of that name.
   */
  @SuppressWarnings("unchecked")
  private static void configMapData(Map<String, Object> configMap) {
    Map<String, Object> data = (Map<String, Object>) configMap.get("data");
    if (data == null) {
      return;
    }
    data.replaceAll(
        (k, v) -> {
          String text = String.valueOf(v);
          if (text.equals("@cert")) {
            return TestCertificates.selfSigned(List.of("ca.example"), false).certificatePem();
          }
          return text.startsWith("@ca ")
              ? TestCertificates.selfSigned(List.of(text.substring(4).trim())).certificatePem()
              : v;
        });
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
    if (cert != null && (cert.equals("@cert") || cert.startsWith("@cert "))) {
      String rest = cert.substring(5).trim();
      List<String> words =
          new ArrayList<>(rest.isEmpty() ? List.of() : Arrays.asList(rest.split("\\s+")));
      boolean expired = words.remove("expired");
      pair = TestCertificates.selfSigned(words, expired);
    }
    for (Map.Entry<String, Object> e : string.entrySet()) {
      String v = String.valueOf(e.getValue());
      if (pair != null && e.getKey().equals("tls.crt")) {
        v = pair.certificatePem();
      } else if (pair != null && v.equals("@key")) {
        v = pair.keyPem();
      }
      data.put(
          e.getKey(), Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.US_ASCII)));
    }
    secret.put("data", data);
  }
}
