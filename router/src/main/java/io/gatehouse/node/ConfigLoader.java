package io.gatehouse.node;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.accesslog.AccessLogOptions;
import io.gatehouse.document.Forms;
import io.gatehouse.document.HostPort;
import io.gatehouse.document.Quantities;
import io.gatehouse.edge.EdgeLimits;
import io.gatehouse.file.LocatedYaml;
import io.gatehouse.k8s.watch.GatewayApiOptions;
import io.gatehouse.passthrough.Passthrough;
import io.gatehouse.tls.TlsPolicy;
import io.gatehouse.tls.TlsServerOptions;
import io.gatehouse.validate.Cidrs;
import io.gatehouse.validate.EndpointPolicy;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link NodeConfig} from, in increasing precedence: {@link NodeConfig#DEFAULTS}, a YAML
 * file, {@code GATEHOUSE_*} environment variables, and command-line values. Call the layers in that
 * order, then {@link #load()}.
 *
 * <p>Every key path comes from the records of {@link NodeConfig} ({@code limits.maxHeaderBytes}),
 * and its environment variable is the path in upper snake case ({@code
 * GATEHOUSE_LIMITS_MAX_HEADER_BYTES}). Lists are YAML lists or comma-separated text; durations take
 * {@code 10s}, {@code 250ms}, {@code 5m}, {@code 1h} or {@code PT10S}; keys ending in {@code Bytes}
 * also take {@code 32KiB} and {@code 10MiB}; enum values ignore case. An unknown key or a bad value
 * is a {@link ConfigException} whose message names the key and where it came from.
 */
public final class ConfigLoader {
  public static final String ENV_PREFIX = "GATEHOUSE_";

  /** Not a key: the path of the YAML file, read by {@link Cli} when {@code --config} is absent. */
  public static final String ENV_CONFIG_FILE = "GATEHOUSE_CONFIG";

  private static final Map<String, Type> LEAVES = Collections.unmodifiableMap(leaves());
  private static final Map<String, String> KEY_BY_ENV = envNames();
  private static final Set<String> LOG_LEVELS = Set.of("error", "warn", "info", "debug", "trace");
  private static final Pattern IPV4 =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  private static final Pattern CERT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");
  private static final ObjectMapper MAPPER = mapper();

  /** The one text key that also takes a list: the IngressClasses to serve. */
  static final String INGRESS_CLASSES = "kubernetes.ingressClass";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ObjectNode tree = MAPPER.valueToTree(NodeConfig.DEFAULTS);
  private final Map<String, String> origins = new HashMap<>();
  private final List<String> warnings = new ArrayList<>();

  /** Every key path, in the order of the records. */
  public static List<String> keys() {
    return List.copyOf(LEAVES.keySet());
  }

  /** {@code limits.maxHeaderBytes} gives {@code GATEHOUSE_LIMITS_MAX_HEADER_BYTES}. */
  public static String envName(String key) {
    StringBuilder b = new StringBuilder(ENV_PREFIX);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '.') {
        b.append('_');
      } else if (Character.isUpperCase(c)) {
        b.append('_').append(c);
      } else {
        b.append(Character.toUpperCase(c));
      }
    }
    return b.toString();
  }

  /** The keys whose values differ between {@code a} and {@code b}, in the order of the records. */
  public static List<String> changedKeys(NodeConfig a, NodeConfig b) {
    JsonNode ta = MAPPER.valueToTree(a);
    JsonNode tb = MAPPER.valueToTree(b);
    List<String> out = new ArrayList<>();
    for (String key : LEAVES.keySet()) {
      JsonNode va = ta;
      JsonNode vb = tb;
      for (String part : key.split("\\.")) {
        va = va.path(part);
        vb = vb.path(part);
      }
      if (!va.equals(vb)) {
        out.add(key);
      }
    }
    return out;
  }

  /** The value of {@code key} in {@link NodeConfig#DEFAULTS}, as it would be written in YAML. */
  public static String defaultText(String key) {
    JsonNode node = MAPPER.valueToTree(NodeConfig.DEFAULTS);
    for (String part : key.split("\\.")) {
      node = node.path(part);
    }
    if (node.isArray()) {
      List<String> items = new ArrayList<>();
      node.forEach(n -> items.add(n.asText()));
      return String.join(",", items);
    }
    return node.asText();
  }

  /** Reads the YAML file at {@code path} as the file layer. */
  public ConfigLoader file(Path path) throws ConfigException {
    String text;
    try {
      if (Files.size(path) > LocatedYaml.MAX_CHARS) {
        throw new ConfigException("configuration file " + path + " is larger than 16 MiB");
      }
      text = Files.readString(path);
    } catch (NoSuchFileException e) {
      throw new ConfigException("configuration file " + path + " not found");
    } catch (MalformedInputException e) {
      throw new ConfigException("configuration file " + path + " is not UTF-8 text");
    } catch (IOException e) {
      throw new ConfigException("cannot read configuration file " + path + ": " + e.getMessage());
    }
    return yaml(text, path.toString());
  }

  /** Applies YAML text as the file layer; {@code name} says where it came from in messages. */
  public ConfigLoader yaml(String text, String name) throws ConfigException {
    LocatedYaml.Document doc;
    try {
      doc = LocatedYaml.parse(text);
    } catch (LocatedYaml.SyntaxException e) {
      throw new ConfigException(
          "invalid YAML in "
              + name
              + (e.line() > 0 ? " line " + e.line() : "")
              + (e.column() > 0 ? " column " + e.column() : "")
              + ": "
              + e.getMessage());
    }
    if (doc.root().isNull()) {
      return this;
    }
    if (!doc.root().isObject()) {
      throw new ConfigException(
          "configuration file " + name + " is not a mapping of configuration keys");
    }
    merge((ObjectNode) doc.root(), "", doc, name);
    return this;
  }

  private void merge(ObjectNode src, String path, LocatedYaml.Document doc, String name)
      throws ConfigException {
    for (Map.Entry<String, JsonNode> e : iterable(src)) {
      String key = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
      String where = " in " + name + " line " + doc.lineOf(key);
      JsonNode value = e.getValue();
      if (LEAVES.containsKey(key)) {
        if (!value.isNull()) {
          put(key, value, where);
        }
      } else if (isGroup(key)) {
        if (value.isObject()) {
          merge((ObjectNode) value, key, doc, name);
        } else if (!value.isNull()) {
          throw bad(
              key, where, value, "a mapping with the keys " + String.join(", ", children(key)));
        }
      } else {
        throw new ConfigException("unknown configuration key \"" + key + "\"" + where);
      }
    }
  }

  /**
   * Applies the {@code GATEHOUSE_*} variables of {@code env} that name a key. Others are ignored:
   * the namespace is shared with tools (e.g. {@code GATEHOUSE_ENVTEST_DIR}); one that looks like a
   * typo of a key gets a line in {@link #warnings()}.
   */
  public ConfigLoader env(Map<String, String> env) throws ConfigException {
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String name = e.getKey();
      if (!name.startsWith(ENV_PREFIX) || name.equals(ENV_CONFIG_FILE)) {
        continue;
      }
      String key = KEY_BY_ENV.get(name);
      if (key == null) {
        String near = nearestEnvName(name);
        if (near != null) {
          warnings.add(
              "environment variable "
                  + name
                  + " is not a configuration key and is ignored; did you mean "
                  + near
                  + " ("
                  + KEY_BY_ENV.get(near)
                  + ")?");
        }
        continue;
      }
      put(key, NODES.textNode(e.getValue()), " in environment variable " + name);
    }
    return this;
  }

  /** What the layers applied so far ignored but a user may have meant (typos of keys). */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /**
   * The key variable within a small edit distance of {@code name} (at most 2, and at most a quarter
   * of the part after {@code GATEHOUSE_}), or null: a typo, not another tool's variable.
   */
  static @Nullable String nearestEnvName(String name) {
    String tail = name.substring(ENV_PREFIX.length());
    int limit = Math.min(2, tail.length() / 4);
    String best = null;
    int bestDistance = limit + 1;
    for (String known : KEY_BY_ENV.keySet()) {
      int d = editDistance(tail, known.substring(ENV_PREFIX.length()), bestDistance);
      if (d < bestDistance) {
        best = known;
        bestDistance = d;
      }
    }
    return best;
  }

  /**
   * Levenshtein distance, or {@code cap} when it is {@code cap} or more. Written here on purpose:
   * one start-up check over a few hundred short names does not justify a library in the jar.
   */
  static int editDistance(String a, String b, int cap) {
    if (Math.abs(a.length() - b.length()) >= cap) {
      return cap;
    }
    int[] prev = new int[b.length() + 1];
    int[] row = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      row[0] = i;
      int rowMin = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        row[j] = Math.min(substitute, Math.min(prev[j], row[j - 1]) + 1);
        rowMin = Math.min(rowMin, row[j]);
      }
      if (rowMin >= cap) {
        return cap;
      }
      int[] t = prev;
      prev = row;
      row = t;
    }
    return Math.min(prev[b.length()], cap);
  }

  /**
   * Sets one key from the command line; {@code origin} names the flag in messages, as in {@code
   * --http-port} or {@code --set http.port=80}.
   */
  public ConfigLoader set(String key, String value, String origin) throws ConfigException {
    checkKey(key, origin);
    put(key, NODES.textNode(value), " in " + origin);
    return this;
  }

  /** Sets a list key from a repeated command-line flag. */
  public ConfigLoader setList(String key, List<String> values, String origin)
      throws ConfigException {
    checkKey(key, origin);
    ArrayNode arr = NODES.arrayNode();
    values.forEach(arr::add);
    put(key, arr, " in " + origin);
    return this;
  }

  /** Converts and checks every value and returns the configuration. */
  public NodeConfig load() throws ConfigException {
    ObjectNode typed = tree.deepCopy();
    for (Map.Entry<String, Type> leaf : LEAVES.entrySet()) {
      String key = leaf.getKey();
      ObjectNode parent = parentOf(typed, key);
      String field = key.substring(key.lastIndexOf('.') + 1);
      parent.set(field, coerce(key, leaf.getValue(), parent.get(field)));
    }
    NodeConfig config;
    try {
      config = MAPPER.treeToValue(typed, NodeConfig.class);
    } catch (JsonProcessingException e) {
      throw new ConfigException("configuration cannot be bound: " + e.getOriginalMessage());
    }
    check(config);
    return config;
  }

  private void checkKey(String key, String origin) throws ConfigException {
    if (!LEAVES.containsKey(key)) {
      String hint =
          isGroup(key) ? " (expected: one of " + String.join(", ", children(key)) + ")" : "";
      throw new ConfigException("unknown configuration key \"" + key + "\" in " + origin + hint);
    }
  }

  private void put(String key, JsonNode value, String where) {
    parentOf(tree, key).set(key.substring(key.lastIndexOf('.') + 1), value);
    origins.put(key, where);
  }

  private static ObjectNode parentOf(ObjectNode root, String key) {
    ObjectNode node = root;
    String[] parts = key.split("\\.");
    for (int i = 0; i < parts.length - 1; i++) {
      node = (ObjectNode) node.get(parts[i]);
    }
    return node;
  }

  private JsonNode coerce(String key, Type type, JsonNode v) throws ConfigException {
    String where = origins.getOrDefault(key, "");
    if (type == int.class || type == long.class) {
      boolean bytes = key.endsWith("Bytes");
      Optional<Long> n = Optional.empty();
      if (v.isIntegralNumber() && v.canConvertToLong()) {
        n = Optional.of(v.asLong());
      } else if (v.isTextual()) {
        n = bytes ? Quantities.parseBytes(v.asText()) : parseLong(v.asText());
      }
      boolean fits =
          n.isPresent()
              && (type == long.class
                  || (n.get() >= Integer.MIN_VALUE && n.get() <= Integer.MAX_VALUE));
      if (!fits) {
        throw bad(key, where, v, bytes ? Forms.BYTES : "an integer");
      }
      return type == int.class ? NODES.numberNode(n.get().intValue()) : NODES.numberNode(n.get());
    }
    if (type == double.class) {
      Double d = null;
      if (v.isNumber()) {
        d = v.asDouble();
      } else if (v.isTextual()) {
        try {
          d = Double.parseDouble(v.asText().trim());
        } catch (NumberFormatException e) {
          d = null;
        }
      }
      if (d == null || d.isNaN() || d.isInfinite()) {
        throw bad(key, where, v, "a number such as 0.95");
      }
      return NODES.numberNode(d);
    }
    if (type == boolean.class) {
      if (v.isBoolean()) {
        return v;
      }
      String t = v.isTextual() ? v.asText().trim().toLowerCase(Locale.ROOT) : "";
      if (t.equals("true") || t.equals("false")) {
        return NODES.booleanNode(t.equals("true"));
      }
      throw bad(key, where, v, "true or false");
    }
    if (type == String.class && key.equals(INGRESS_CLASSES) && v.isArray()) {
      // a list of classes, kept as the comma list the single string always was
      List<String> names = new ArrayList<>();
      for (JsonNode item : v) {
        if (!item.isValueNode() || item.isNull() || item.asText().contains(",")) {
          throw bad(key, where, v, "a list of IngressClass names, or comma-separated text");
        }
        names.add(item.asText().trim());
      }
      return NODES.textNode(String.join(",", names));
    }
    if (type == String.class) {
      if (!v.isValueNode() || v.isNull()) {
        throw bad(key, where, v, "a string");
      }
      return NODES.textNode(v.asText());
    }
    if (type == Duration.class) {
      Optional<Duration> d =
          v.isTextual() || (v.isIntegralNumber() && v.asLong() == 0)
              ? Quantities.parseDuration(v.asText())
              : Optional.empty();
      if (d.isEmpty()) {
        throw bad(key, where, v, Forms.DURATION);
      }
      return NODES.textNode(d.get().toString());
    }
    if (type instanceof Class<?> c && c.isEnum()) {
      if (v.isTextual()) {
        String wanted = v.asText().trim().replace('-', '_');
        for (Object constant : c.getEnumConstants()) {
          if (((Enum<?>) constant).name().equalsIgnoreCase(wanted)) {
            return NODES.textNode(((Enum<?>) constant).name());
          }
        }
      }
      throw bad(key, where, v, "one of " + enumNames(c));
    }
    if (type instanceof ParameterizedType p
        && p.getRawType() == List.class
        && p.getActualTypeArguments()[0] == Integer.class) {
      ArrayNode out = NODES.arrayNode();
      List<String> items = new ArrayList<>();
      if (v.isArray()) {
        v.forEach(item -> items.add(item.isValueNode() && !item.isNull() ? item.asText() : ""));
      } else if (v.isValueNode() && !v.isNull()) {
        Arrays.stream(v.asText().split(","))
            .map(String::trim)
            .filter(t -> !t.isEmpty())
            .forEach(items::add);
      }
      for (String item : items) {
        try {
          out.add(Integer.parseInt(item.trim()));
        } catch (NumberFormatException e) {
          throw bad(key, where, v, "a list of whole numbers, or comma-separated text");
        }
      }
      return out;
    }
    if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
      ArrayNode out = NODES.arrayNode();
      if (v.isArray()) {
        for (JsonNode item : v) {
          if (!item.isValueNode() || item.isNull()) {
            throw bad(key, where, v, "a list of strings");
          }
          out.add(item.asText());
        }
      } else if (v.isTextual()) {
        Arrays.stream(v.asText().split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .forEach(out::add);
      } else {
        throw bad(key, where, v, "a list of strings, or comma-separated text");
      }
      return out;
    }
    throw new IllegalStateException("no conversion for " + key + " of type " + type);
  }

  /** The node's error pages: statuses 400-599, and a page file or an upstream, not both. */
  private void errorPages(NodeConfig.ErrorPages e) throws ConfigException {
    if (e.codes().isEmpty()) {
      return;
    }
    for (String code : e.codes()) {
      int n;
      try {
        n = Integer.parseInt(code.trim());
      } catch (NumberFormatException x) {
        n = -1;
      }
      if (n < 400 || n > 599) {
        throw bad("errorPages.codes", code, "statuses from 400 to 599");
      }
    }
    boolean file = !e.pageFile().isBlank();
    boolean upstream = !e.upstream().isBlank();
    if (file == upstream) {
      throw bad(
          "errorPages.pageFile",
          file ? e.pageFile() + " and errorPages.upstream " + e.upstream() : "",
          "one of errorPages.pageFile and errorPages.upstream when errorPages.codes is set");
    }
    if (upstream && HostPort.parse(e.upstream(), 1).isEmpty()) {
      throw bad("errorPages.upstream", e.upstream(), Forms.HOST_PORT + ", or empty");
    }
    String type = e.contentType();
    if (type.isEmpty()
        || type.length() > 256
        || !type.chars().allMatch(ch -> ch == ' ' || (ch > 32 && ch < 127))
        || type.indexOf('/') < 1) {
      throw bad("errorPages.contentType", type, "a media type such as text/html; charset=utf-8");
    }
  }

  /**
   * Tracing: a ratio from 0 to 1 and an http(s) collector URL without credentials (the exporter
   * would not send them, and the URL is logged), checked even while tracing is off.
   */
  private void tracing(NodeConfig.Tracing t) throws ConfigException {
    double ratio = t.sampleRatio();
    if (!(ratio >= 0 && ratio <= 1)) {
      throw bad("tracing.sampleRatio", Double.toString(ratio), "a number from 0 to 1, e.g. 0.01");
    }
    String endpoint = t.endpoint();
    URI uri = null;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null
        || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
        || uri.getHost() == null
        || uri.getRawUserInfo() != null
        || uri.getRawFragment() != null) {
      throw bad(
          "tracing.endpoint",
          uri != null && uri.getRawUserInfo() != null ? "(a URL with credentials)" : endpoint,
          "the collector's OTLP/HTTP traces URL, such as http://127.0.0.1:4318/v1/traces, without"
              + " credentials");
    }
    String name = t.serviceName();
    if (name.isBlank() || name.length() > 255 || !name.equals(name.strip())) {
      throw bad("tracing.serviceName", name, "a name of 1 to 255 characters, such as gatehouse");
    }
    positive("tracing.exportInterval", t.exportInterval());
    positive("tracing.exportTimeout", t.exportTimeout());
    if (t.queueSize() < 1 || t.queueSize() > 1_000_000) {
      throw bad("tracing.queueSize", Integer.toString(t.queueSize()), "1 to 1000000");
    }
  }

  private void check(NodeConfig c) throws ConfigException {
    port("http.port", c.http().port());
    port("status.port", c.status().port());
    port("tls.port", c.tls().port());
    port("tls.redirectPort", c.tls().redirectPort());
    port("admin.port", c.admin().port());
    notBlank("admin.host", c.admin().host(), "an address to listen on, such as 127.0.0.1");
    atLeastOne("admin.ratePerSecond", c.admin().ratePerSecond());
    atLeastOne("admin.rateBurst", c.admin().rateBurst());
    deniedUpstreams("admin.deniedUpstreams", c.admin().deniedUpstreams());
    if (!c.admin().clientCaFile().isBlank() && c.admin().certFile().isBlank()) {
      throw bad(
          "admin.clientCaFile",
          c.admin().clientCaFile(),
          "empty, or set together with admin.certFile and admin.keyFile (client certificates need"
              + " HTTPS)");
    }
    String server = c.proxy().serverHeader();
    if (server.length() > 256
        || !server.chars().allMatch(ch -> ch == ' ' || (ch > 32 && ch < 127))
        || !server.equals(server.strip())) {
      throw bad(
          "proxy.serverHeader",
          server,
          "empty (no Server header), or up to 256 visible ASCII characters and inner spaces");
    }
    notBlank("http.host", c.http().host(), "an address to listen on, such as 0.0.0.0");
    if (c.http2().cleartextOnly() && !c.http2().cleartext()) {
      // h2c-only without h2c would be a listener that serves nothing: refuse the contradiction.
      throw bad(
          "http2.cleartextOnly",
          "true",
          "false while http2.cleartext is false (h2c-only needs http2.cleartext: true)");
    }
    notBlank("status.host", c.status().host(), "an address to listen on, such as 127.0.0.1");
    positive("routes.pollInterval", c.routes().pollInterval());
    positive("tls.pollInterval", c.tls().pollInterval());
    passthrough(c.tls().passthrough());
    String defaultCertificate = c.tls().defaultCertificate();
    if (!defaultCertificate.isEmpty() && !CERT_NAME.matcher(defaultCertificate).matches()) {
      throw bad(
          "tls.defaultCertificate",
          defaultCertificate,
          "the NAME of NAME.crt/NAME.key or NAME.pem in tls.certDir, or empty");
    }
    try {
      TlsPolicy policy = c.tls().policy();
      if (c.tls().listens()) {
        policy.checkEngine(
            TlsServerOptions.engineFor(c.tls().engine() != NodeConfig.Tls.Engine.JDK));
      }
      if (c.admin().enabled() && !c.admin().certFile().isBlank()) {
        policy.checkSuites(TlsServerOptions.Engine.JDK); // the admin listener's engine
      }
    } catch (TlsPolicy.Invalid e) {
      throw bad(e.key(), e.value(), e.expected());
    }
    String upstream = c.defaultBackend().upstream();
    if (!upstream.isEmpty() && HostPort.parse(upstream, 1).isEmpty()) {
      throw bad("defaultBackend.upstream", upstream, Forms.HOST_PORT + ", or empty");
    }
    errorPages(c.errorPages());
    tracing(c.tracing());
    String echo = c.demo().echoUpstream();
    if (!echo.isEmpty() && HostPort.parse(echo, 0).isEmpty()) {
      throw bad("demo.echoUpstream", echo, Forms.HOST_PORT + ", or empty");
    }
    for (String cidr : c.proxy().trustedProxies()) {
      if (!isCidr(cidr)) {
        throw bad(
            "proxy.trustedProxies", cidr, "an IP address or CIDR such as 10.0.0.0/8 or fd00::/8");
      }
    }
    for (String cidr : c.proxy().allow()) {
      if (!isCidr(cidr)) {
        throw bad("proxy.allow", cidr, "an IP address or CIDR such as 10.0.0.0/8 or fd00::/8");
      }
    }
    for (String cidr : c.proxy().deny()) {
      if (!isCidr(cidr)) {
        throw bad("proxy.deny", cidr, "an IP address or CIDR such as 10.0.0.0/8 or fd00::/8");
      }
    }
    Duration proxyHeader = c.proxy().proxyProtocol().headerTimeout();
    if (proxyHeader.toMillis() < 1 || proxyHeader.compareTo(Duration.ofMinutes(1)) > 0) {
      throw bad("proxy.proxyProtocol.headerTimeout", proxyHeader.toString(), "between 1ms and 1m");
    }
    EdgeLimits l = c.limits();
    atLeastOne("limits.maxHeaderBytes", l.maxHeaderBytes());
    atLeastOne("limits.maxHeaderLineBytes", l.maxHeaderLineBytes());
    atLeastOne("limits.maxHeaderCount", l.maxHeaderCount());
    atLeastOne("limits.maxRequestLineBytes", l.maxRequestLineBytes());
    atLeastOne("limits.maxConnections", l.maxConnections());
    atLeastOne("limits.maxConnectionsPerClient", l.maxConnectionsPerClient());
    atLeastOne("limits.writeQueueBytes", l.writeQueueBytes());
    if (l.pacedConnectionsPerSecond() < 0 || l.pacedConnectionsPerSecond() > 1_000) {
      throw bad(
          "limits.pacedConnectionsPerSecond",
          Integer.toString(l.pacedConnectionsPerSecond()),
          "0 (off) to 1000");
    }
    positive("limits.headerReadTimeout", l.headerReadTimeout());
    positive("limits.keepAliveIdleTimeout", l.keepAliveIdleTimeout());
    positive("limits.overloadLoopLag", l.overloadLoopLag());
    if (!(l.overloadHeapRatio() > 0 && l.overloadHeapRatio() <= 1)) {
      throw bad(
          "limits.overloadHeapRatio",
          Double.toString(l.overloadHeapRatio()),
          "a fraction of the heap, more than 0 and at most 1");
    }
    if (c.eventLoops() < 0) {
      throw bad(
          "eventLoops", Integer.toString(c.eventLoops()), "0 (automatic) or a positive count");
    }
    if (!LOG_LEVELS.contains(c.log().level().toLowerCase(Locale.ROOT))) {
      throw bad("log.level", c.log().level(), "one of error, warn, info, debug, trace");
    }
    try {
      accessLog(c.log());
    } catch (AccessLogOptions.Problem p) {
      throw bad("log." + p.key(), p.value(), p.expected());
    }
    checkCluster(c.cluster());
    checkKubernetes(c.kubernetes());
    checkMetrics(c.metrics());
  }

  /** Buckets: positive seconds, strictly increasing, at most 64; at least one backend label. */
  private void checkMetrics(NodeConfig.Metrics m) throws ConfigException {
    String expected =
        "up to 64 positive numbers of seconds in increasing order, such as 0.005,0.01";
    List<String> buckets = m.durationBuckets();
    if (buckets.isEmpty() || buckets.size() > 64) {
      throw bad("metrics.durationBuckets", String.join(",", buckets), expected);
    }
    double previous = 0;
    for (String b : buckets) {
      double v;
      try {
        v = Double.parseDouble(b.trim());
      } catch (NumberFormatException e) {
        v = Double.NaN;
      }
      if (!(v > previous) || Double.isInfinite(v)) {
        throw bad("metrics.durationBuckets", b, expected);
      }
      previous = v;
    }
    atLeastOne("metrics.maxBackends", m.maxBackends());
  }

  /** The access log's options of {@code log}, checked ({@link #load()} did so already). */
  static AccessLogOptions accessLog(NodeConfig.Log log) throws AccessLogOptions.Problem {
    return AccessLogOptions.parse(
        log.access(),
        log.accessFormat(),
        log.accessFields(),
        log.accessFile(),
        log.accessQueueLines(),
        log.accessSampleRatio(),
        log.accessSampleErrors(),
        log.accessRoutes());
  }

  private static final java.util.regex.Pattern DNS_LABEL =
      java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /** A DNS subdomain (RFC 1123), as Kubernetes names IngressClasses and ConfigMaps. */
  private static final java.util.regex.Pattern DNS_SUBDOMAIN =
      java.util.regex.Pattern.compile(
          "(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private void checkKubernetes(NodeConfig.Kubernetes k) throws ConfigException {
    for (String ns : k.namespaces()) {
      if (!DNS_LABEL.matcher(ns).matches()) {
        throw bad("kubernetes.namespaces", ns, "a namespace name (a DNS label)");
      }
    }
    for (String cls : k.ingressClasses()) {
      if (!DNS_SUBDOMAIN.matcher(cls).matches()) {
        throw bad(INGRESS_CLASSES, cls, "IngressClass names (DNS subdomains), comma-separated");
      }
    }
    deniedUpstreams("kubernetes.deniedUpstreams", k.deniedUpstreams());
    for (String a : k.publishAddresses()) {
      if (a.isBlank() || a.contains("/") || a.contains(" ")) {
        throw bad("kubernetes.publishAddresses", a, "an IP address or a DNS name");
      }
    }
    if (!k.publishService().isEmpty()) {
      String[] parts = k.publishService().split("/", -1);
      if (parts.length != 2
          || !DNS_LABEL.matcher(parts[0]).matches()
          || !DNS_LABEL.matcher(parts[1]).matches()) {
        throw bad(
            "kubernetes.publishService",
            k.publishService(),
            "namespace/name of the controller's own Service, e.g. gatehouse/gatehouse");
      }
    }
    if (!k.nginxConfigMap().isEmpty()) {
      String[] parts = k.nginxConfigMap().split("/", -1);
      if (parts.length != 2
          || !DNS_LABEL.matcher(parts[0]).matches()
          || !DNS_SUBDOMAIN.matcher(parts[1]).matches()) {
        throw bad(
            "kubernetes.nginxConfigMap",
            k.nginxConfigMap(),
            "namespace/name of ingress-nginx's controller ConfigMap, e.g."
                + " ingress-nginx/ingress-nginx-controller");
      }
    }
    try {
      GatewayApiOptions.Mode.parse(k.gatewayApi());
    } catch (IllegalArgumentException e) {
      throw bad("kubernetes.gatewayApi", k.gatewayApi(), "auto, true or false");
    }
    if (k.gatewayHttpPort() < 1 || k.gatewayHttpPort() > 65535) {
      throw bad(
          "kubernetes.gatewayHttpPort", Integer.toString(k.gatewayHttpPort()), "a port 1-65535");
    }
    if (k.gatewayHttpsPort() < 1
        || k.gatewayHttpsPort() > 65535
        || k.gatewayHttpsPort() == k.gatewayHttpPort()) {
      throw bad(
          "kubernetes.gatewayHttpsPort",
          Integer.toString(k.gatewayHttpsPort()),
          "a port 1-65535 other than kubernetes.gatewayHttpPort");
    }
    for (String a : k.gatewayAddresses()) {
      if (Cidrs.problem(a) != null) {
        throw bad("kubernetes.gatewayAddresses", a, "IP addresses or CIDRs such as 192.0.2.0/28");
      }
    }
    for (int port : k.gatewayPorts()) {
      if (port < 1 || port > 65535) {
        throw bad("kubernetes.gatewayPorts", Integer.toString(port), "ports 1-65535");
      }
    }
    if (k.enabled() && k.leaderElection()) {
      if (!DNS_LABEL.matcher(k.leaseNamespace()).matches()) {
        throw bad("kubernetes.leaseNamespace", k.leaseNamespace(), "a namespace name");
      }
      notBlank("kubernetes.leaseName", k.leaseName(), "the name of the leader-election Lease");
      Duration lease = k.leaseDuration();
      if (lease.compareTo(Duration.ofSeconds(2)) < 0 || lease.toMillis() % 1000 != 0) {
        throw bad(
            "kubernetes.leaseDuration",
            Quantities.formatDuration(lease),
            "whole seconds, at least 2s (the Lease stores seconds)");
      }
    }
  }

  private void deniedUpstreams(String key, List<String> cidrs) throws ConfigException {
    for (String cidr : cidrs) {
      if (!EndpointPolicy.isCidr(cidr)) {
        throw bad(key, cidr, "an IP address or CIDR such as 10.96.0.0/12 or fd00::/8");
      }
    }
  }

  private void checkCluster(NodeConfig.Cluster k) throws ConfigException {
    if (k.port() < 1 || k.port() > 65535) {
      throw bad("cluster.port", Integer.toString(k.port()), "a port 1-65535");
    }
    notBlank("cluster.name", k.name(), "a name shared by the members of one cluster");
    notBlank("cluster.host", k.host(), "the address this member binds and announces");
    if (isWildcard(k.host())) {
      // The member port has no authentication: it binds this one address, never every interface.
      throw bad(
          "cluster.host",
          k.host(),
          "the one address of this machine the other members reach, not a wildcard");
    }
    for (String m : k.members()) {
      if (HostPort.parse(m, 1).isEmpty() && HostPort.parse(m + ":" + k.port(), 1).isEmpty()) {
        throw bad("cluster.members", m, Forms.HOST_PORT + " or a host");
      }
    }
    positive("cluster.heartbeat", k.heartbeat());
    if (k.maxNoHeartbeat().compareTo(k.heartbeat().multipliedBy(2)) < 0) {
      throw bad(
          "cluster.maxNoHeartbeat",
          Quantities.formatDuration(k.maxNoHeartbeat()),
          "at least twice cluster.heartbeat");
    }
    if (k.backupCount() < 0 || k.backupCount() > 6) {
      throw bad("cluster.backupCount", Integer.toString(k.backupCount()), "0 to 6");
    }
    if (k.initialMinMembers() < 1) {
      throw bad("cluster.initialMinMembers", Integer.toString(k.initialMinMembers()), "1 or more");
    }
  }

  private void port(String key, int port) throws ConfigException {
    if (port < 0 || port > 65535) {
      throw bad(key, Integer.toString(port), "a port 0-65535 (0 picks a free port)");
    }
  }

  private void notBlank(String key, String value, String expected) throws ConfigException {
    if (value.isBlank()) {
      throw bad(key, value, expected);
    }
  }

  /** The passthrough gate's limits, within bounds that still let every real client through. */
  private void passthrough(Passthrough.Settings p) throws ConfigException {
    within("tls.passthrough.helloTimeout", p.helloTimeout(), Duration.ofMillis(100), HOUR);
    // A ClientHello with post-quantum key shares, many suites and extensions runs to several KiB;
    // below one TLS record's size (16 KiB) a limit would refuse real clients.
    int bytes = p.maxHelloBytes();
    if (bytes < 16 * 1024 || bytes > 1024 * 1024) {
      throw bad(
          "tls.passthrough.maxHelloBytes", Integer.toString(bytes), "16384 to 1048576 (bytes)");
    }
    within("tls.passthrough.connectTimeout", p.connectTimeout(), Duration.ofMillis(1), HOUR);
    within(
        "tls.passthrough.idleTimeout", p.idleTimeout(), Duration.ofSeconds(1), Duration.ofDays(7));
  }

  private static final Duration HOUR = Duration.ofHours(1);

  private void within(String key, Duration d, Duration min, Duration max) throws ConfigException {
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw bad(
          key,
          Quantities.formatDuration(d),
          "a duration from "
              + Quantities.formatDuration(min)
              + " to "
              + Quantities.formatDuration(max));
    }
  }

  private void positive(String key, Duration d) throws ConfigException {
    if (d.isZero() || d.isNegative()) {
      throw bad(key, Quantities.formatDuration(d), "a duration of more than 0");
    }
  }

  private void atLeastOne(String key, int n) throws ConfigException {
    if (n < 1) {
      throw bad(key, Integer.toString(n), "1 or more");
    }
  }

  private ConfigException bad(String key, String value, String expected) {
    return bad(key, origins.getOrDefault(key, ""), NODES.textNode(value), expected);
  }

  private static ConfigException bad(String key, String where, JsonNode v, String expected) {
    String shown = v.isTextual() ? "\"" + v.asText() + "\"" : v.toString();
    return new ConfigException(
        "bad value for configuration key \""
            + key
            + "\""
            + where
            + ": "
            + shown
            + " (expected: "
            + expected
            + ")");
  }

  /** The one CIDR rule ({@link Cidrs}): what the data plane matches is what is accepted here. */
  static boolean isCidr(String raw) {
    return Cidrs.problem(raw) == null;
  }

  /** 0.0.0.0 or :: in any spelling; a name is never resolved here. */
  private static boolean isWildcard(String host) {
    String h = host.trim();
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (!IPV4.matcher(h).matches() && !(h.indexOf(':') >= 0 && IPV6.matcher(h).matches())) {
      return false;
    }
    try {
      return InetAddress.getByName(h).isAnyLocalAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static Optional<Long> parseLong(String s) {
    try {
      return Optional.of(Long.parseLong(s.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static boolean isGroup(String key) {
    String prefix = key + ".";
    return LEAVES.keySet().stream().anyMatch(k -> k.startsWith(prefix));
  }

  private static List<String> children(String group) {
    String prefix = group + ".";
    return LEAVES.keySet().stream()
        .filter(k -> k.startsWith(prefix))
        .map(k -> k.substring(prefix.length()).split("\\.")[0])
        .distinct()
        .toList();
  }

  private static String enumNames(Class<?> type) {
    return Arrays.stream(type.getEnumConstants())
        .map(e -> ((Enum<?>) e).name().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(", "));
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(ObjectNode node) {
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    node.fields().forEachRemaining(out::add);
    return out;
  }

  private static Map<String, Type> leaves() {
    Map<String, Type> out = new LinkedHashMap<>();
    collect(NodeConfig.class, "", out);
    return out;
  }

  private static void collect(Class<?> record, String prefix, Map<String, Type> out) {
    for (RecordComponent rc : record.getRecordComponents()) {
      String key = prefix + rc.getName();
      if (rc.getType().isRecord()) {
        collect(rc.getType(), key + ".", out);
      } else {
        out.put(key, rc.getGenericType());
      }
    }
  }

  private static Map<String, String> envNames() {
    Map<String, String> out = new HashMap<>();
    for (String key : LEAVES.keySet()) {
      String previous = out.put(envName(key), key);
      if (previous != null) {
        throw new IllegalStateException(key + " and " + previous + " share an environment name");
      }
    }
    return Map.copyOf(out);
  }

  private static ObjectMapper mapper() {
    SimpleModule durations = new SimpleModule("gatehouse-durations");
    durations.addSerializer(
        Duration.class,
        new JsonSerializer<>() {
          @Override
          public void serialize(Duration value, JsonGenerator gen, SerializerProvider serializers)
              throws IOException {
            gen.writeString(Quantities.formatDuration(value));
          }
        });
    durations.addDeserializer(
        Duration.class,
        new JsonDeserializer<>() {
          @Override
          public Duration deserialize(JsonParser p, DeserializationContext ctxt)
              throws IOException {
            String text = p.getValueAsString();
            Optional<Duration> d = Quantities.parseDuration(text);
            if (d.isEmpty()) {
              return (Duration) ctxt.handleWeirdStringValue(Duration.class, text, Forms.DURATION);
            }
            return d.get();
          }
        });
    return JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
        .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
        .addModule(durations)
        .build();
  }
}
