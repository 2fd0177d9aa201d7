package io.gatehouse.k8s.migrate;

import io.gatehouse.k8s.translate.IngressRef;
import io.gatehouse.k8s.translate.ListedClusterState;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressClass;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads manifests: YAML files (multi-document; {@code kind: List} too, as {@code kubectl get -o
 * yaml} writes) or directories of them ({@code .yaml}, {@code .yml}, {@code .json}, recursively, in
 * name order). Ingresses ({@code networking.k8s.io/v1}), IngressClasses, Services, EndpointSlices,
 * Secrets and ConfigMaps are kept; other kinds are counted and left out. YAML is read with
 * SnakeYAML's safe constructor: no tag in a file makes an object.
 */
final class ManifestFiles {
  private static final JSON JSON = new JSON();

  private final String defaultNamespace;
  private final List<V1IngressClass> classes = new ArrayList<>();
  private final List<V1Ingress> ingresses = new ArrayList<>();
  private final List<V1Service> services = new ArrayList<>();
  private final List<V1EndpointSlice> slices = new ArrayList<>();
  private final List<V1Secret> secrets = new ArrayList<>();
  private final List<V1ConfigMap> configMaps = new ArrayList<>();
  private final Map<IngressRef, String> origins = new HashMap<>();
  private final Map<String, Integer> others = new TreeMap<>();
  private final List<String> notes = new ArrayList<>();

  private ManifestFiles(String defaultNamespace) {
    this.defaultNamespace = defaultNamespace;
  }

  /**
   * @param namespace of the objects that name none
   * @param configMap the controller ConfigMap: a file, or {@code namespace/name} among the files'
   *     ConfigMaps; null for none
   */
  static MigrationInput read(List<Path> paths, String namespace, @Nullable String configMap)
      throws MigrateException {
    ManifestFiles m = new ManifestFiles(namespace);
    for (Path p : paths) {
      m.path(p);
    }
    V1ConfigMap controller = null;
    if (configMap != null) {
      controller = m.controller(configMap);
    }
    if (!m.others.isEmpty()) {
      List<String> kinds = new ArrayList<>();
      m.others.forEach((k, n) -> kinds.add(n + " " + k));
      m.notes.add("left out (not read by the translator): " + String.join(", ", kinds));
    }
    List<String> names = paths.stream().map(Path::toString).toList();
    return new MigrationInput(
        "files " + String.join(" ", names),
        new ListedClusterState(
            m.classes, m.ingresses, m.services, m.slices, m.secrets, m.configMaps),
        m.origins,
        !m.services.isEmpty(),
        !m.secrets.isEmpty(),
        controller,
        m.notes);
  }

  private V1ConfigMap controller(String configMap) throws MigrateException {
    Path file = Path.of(configMap);
    if (Files.isRegularFile(file)) {
      ManifestFiles own = new ManifestFiles(defaultNamespace);
      own.file(file);
      if (own.configMaps.size() != 1) {
        throw new MigrateException(
            configMap + ": expected one ConfigMap, found " + own.configMaps.size());
      }
      return own.configMaps.get(0);
    }
    int slash = configMap.indexOf('/');
    if (slash <= 0 || slash == configMap.length() - 1 || configMap.indexOf('/', slash + 1) >= 0) {
      throw new MigrateException(
          "--configmap " + configMap + ": no such file, and not namespace/name");
    }
    String ns = configMap.substring(0, slash);
    String name = configMap.substring(slash + 1);
    for (V1ConfigMap c : configMaps) {
      if (ns.equals(c.getMetadata().getNamespace()) && name.equals(c.getMetadata().getName())) {
        return c;
      }
    }
    throw new MigrateException("--configmap " + configMap + ": no such ConfigMap in the files");
  }

  private void path(Path p) throws MigrateException {
    if (Files.isDirectory(p)) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(p)) {
        files =
            walk.filter(Files::isRegularFile)
                .filter(f -> f.getFileName().toString().matches(".*\\.(ya?ml|json)$"))
                .sorted()
                .toList();
      } catch (IOException e) {
        throw new MigrateException(p + ": cannot list the directory: " + e.getMessage(), e);
      }
      for (Path f : files) {
        file(f);
      }
    } else if (Files.isRegularFile(p)) {
      file(p);
    } else {
      throw new MigrateException(p + ": no such file or directory");
    }
  }

  @SuppressWarnings("unchecked")
  private void file(Path f) throws MigrateException {
    String text;
    try {
      text = Files.readString(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new MigrateException(f + ": cannot read: " + e.getMessage(), e);
    }
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    int doc = 0;
    try {
      for (Object o : yaml.loadAll(text)) {
        doc++;
        if (o == null) {
          continue;
        }
        if (!(o instanceof Map<?, ?> map)) {
          throw new MigrateException(f + ": document " + doc + " is not a Kubernetes object");
        }
        object(f, doc, (Map<String, Object>) map);
      }
    } catch (YAMLException e) {
      throw new MigrateException(f + ": not YAML: " + firstLine(e.getMessage()), e);
    }
  }

  @SuppressWarnings("unchecked")
  private void object(Path f, int doc, Map<String, Object> m) throws MigrateException {
    String kind = String.valueOf(m.get("kind"));
    if (kind.endsWith("List") && m.get("items") instanceof List<?> items) {
      for (Object item : items) {
        if (item instanceof Map<?, ?> map) {
          object(f, doc, (Map<String, Object>) map);
        }
      }
      return;
    }
    String apiVersion = String.valueOf(m.get("apiVersion"));
    Object meta = m.get("metadata");
    if (meta instanceof Map<?, ?> md && md.get("namespace") == null) {
      ((Map<String, Object>) md).put("namespace", defaultNamespace);
    }
    if (kind.equals("Secret") && m.get("stringData") instanceof Map<?, ?> plain) {
      // what the API server does on write: stringData is merged into data, base64-encoded
      Map<String, Object> data = new HashMap<>();
      if (m.get("data") instanceof Map<?, ?> d) {
        d.forEach((k, v) -> data.put(String.valueOf(k), v));
      }
      plain.forEach(
          (k, v) ->
              data.put(
                  String.valueOf(k),
                  Base64.getEncoder()
                      .encodeToString(String.valueOf(v).getBytes(StandardCharsets.UTF_8))));
      m.remove("stringData");
      m.put("data", data);
    }
    String text = JSON.serialize(m);
    try {
      switch (kind) {
        case "Ingress" -> {
          if (!apiVersion.equals("networking.k8s.io/v1")) {
            // v1beta1 Ingresses are gone from every Kubernetes still supported (1.22)
            others.merge("Ingress of " + apiVersion, 1, Integer::sum);
            return;
          }
          V1Ingress i = JSON.deserialize(text, V1Ingress.class);
          if (i.getMetadata() == null || i.getMetadata().getName() == null) {
            throw new MigrateException(f + ": document " + doc + ": an Ingress without a name");
          }
          V1ObjectMeta im = i.getMetadata();
          IngressRef ref = new IngressRef(im.getNamespace(), im.getName());
          String before = origins.put(ref, f.toString());
          if (before != null) {
            throw new MigrateException(
                f + ": Ingress " + ref + " is already in " + before + " (one object, one name)");
          }
          ingresses.add(i);
        }
        case "IngressClass" -> classes.add(JSON.deserialize(text, V1IngressClass.class));
        case "Service" -> services.add(JSON.deserialize(text, V1Service.class));
        case "EndpointSlice" -> slices.add(JSON.deserialize(text, V1EndpointSlice.class));
        case "Secret" -> secrets.add(JSON.deserialize(text, V1Secret.class));
        case "ConfigMap" -> configMaps.add(JSON.deserialize(text, V1ConfigMap.class));
        default -> others.merge(kind, 1, Integer::sum);
      }
    } catch (RuntimeException e) {
      // client-java's Gson throws unchecked exceptions on a field of the wrong shape
      throw new MigrateException(
          f + ": document " + doc + ": not a valid " + kind + ": " + firstLine(e.getMessage()), e);
    }
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
