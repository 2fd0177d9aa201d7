package io.gatehouse.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The admin API's object kinds as the CLI names them: where each lives, which field names it, and
 * its table columns. Tenant-scoped kinds live under {@code /v1/tenants/{tenant}}.
 */
enum Kind {
  TENANT("tenant", "tenants", "name", false, List.of("NAME", "DISPLAY-NAME", "REVISION")),
  CLAIM(
      "claim",
      "host-claims",
      "host",
      true,
      List.of("HOST", "TENANT", "REVISION"),
      "claims",
      "hostclaim",
      "hostclaims",
      "host-claim"),
  ROUTE("route", "routes", "name", true, List.of("NAME", "HOSTS", "PATHS", "BACKEND", "REVISION")),
  BACKEND(
      "backend",
      "backends",
      "name",
      true,
      List.of("NAME", "SOURCE", "PROTOCOL", "ENDPOINTS", "REVISION")),
  CERTIFICATE(
      "certificate",
      "certificates",
      "name",
      true,
      List.of("NAME", "DNS-NAMES", "NOT-AFTER", "REVISION"),
      "cert",
      "certs"),
  TOKEN("token", "tokens", "id", false, List.of("ID", "TENANT", "DESCRIPTION", "CREATED"));

  private final String singular;
  private final String collection;
  private final String nameField;
  private final boolean tenantScoped;
  private final List<String> columns;
  private final List<String> aliases;

  Kind(
      String singular,
      String collection,
      String nameField,
      boolean tenantScoped,
      List<String> columns,
      String... aliases) {
    this.singular = singular;
    this.collection = collection;
    this.nameField = nameField;
    this.tenantScoped = tenantScoped;
    this.columns = columns;
    List<String> all = new ArrayList<>(List.of(aliases));
    all.add(singular);
    all.add(singular + "s");
    all.add(collection);
    this.aliases = List.copyOf(all);
  }

  /** {@code route}, {@code routes}, {@code Route}, {@code claims}... or null. */
  static @Nullable Kind parse(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    for (Kind k : values()) {
      if (k.aliases.contains(w)) {
        return k;
      }
    }
    return null;
  }

  static String known() {
    return "tenants, claims, routes, backends, certificates, tokens";
  }

  String singular() {
    return singular;
  }

  /** The plural the messages use ({@code routes}, {@code claims}). */
  String plural() {
    return this == CLAIM ? "claims" : collection;
  }

  boolean tenantScoped() {
    return tenantScoped;
  }

  List<String> columns() {
    return columns;
  }

  /**
   * The field that names an object of this kind: {@code host} of a claim, {@code id} of a token.
   */
  String nameField() {
    return nameField;
  }

  String collectionPath(@Nullable String tenant) {
    return switch (this) {
      case TENANT -> "/v1/tenants";
      case TOKEN -> "/v1/tokens";
      default -> "/v1/tenants/" + segment(tenantOf(tenant)) + "/" + collection;
    };
  }

  String itemPath(@Nullable String tenant, String name) {
    return collectionPath(tenant) + "/" + segment(name);
  }

  /** The name of {@code item} as the API answered it. */
  String nameOf(JsonNode item) {
    return item.path(nameField).asText("");
  }

  /** One table row of {@code item}, in {@link #columns()} order. */
  List<String> row(JsonNode item) {
    return switch (this) {
      case TENANT -> List.of(text(item, "name"), text(item, "displayName"), text(item, "revision"));
      case CLAIM -> List.of(text(item, "host"), text(item, "tenant"), text(item, "revision"));
      case ROUTE ->
          List.of(
              text(item, "name"),
              joined(item.path("hosts")),
              paths(item.path("paths")),
              backends(item),
              text(item, "revision"));
      case BACKEND ->
          List.of(
              text(item, "name"),
              text(item, "source"),
              text(item, "protocol"),
              endpoints(item.path("endpoints")),
              text(item, "revision"));
      case CERTIFICATE ->
          List.of(
              text(item, "name"),
              joined(item.path("dnsNames")),
              text(item, "notAfter"),
              text(item, "revision"));
      case TOKEN ->
          List.of(
              text(item, "id"),
              item.path("admin").asBoolean(false) ? "<admin>" : text(item, "tenant"),
              text(item, "description"),
              text(item, "createdAt"));
    };
  }

  private static String tenantOf(@Nullable String tenant) {
    if (tenant == null) {
      throw new IllegalStateException("a tenant-scoped path needs a tenant");
    }
    return tenant;
  }

  /** A path segment, percent-encoded (names are DNS-like; a wildcard claim keeps its '*'). */
  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%2A", "*");
  }

  static String text(JsonNode item, String field) {
    JsonNode v = item.path(field);
    return v.isMissingNode() || v.isNull() || v.asText().isEmpty() ? "<none>" : v.asText();
  }

  private static String joined(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out.isEmpty() ? "<none>" : String.join(",", out);
  }

  /**
   * {@code /api} for a prefix, {@code =/healthz} exact, {@code ~^/v[0-9]+} a regular expression.
   */
  private static String paths(JsonNode paths) {
    List<String> out = new ArrayList<>();
    for (JsonNode p : paths) {
      if (p.isTextual()) {
        out.add(p.asText());
        continue;
      }
      String value = p.path("value").asText();
      out.add(
          switch (p.path("type").asText("Prefix")) {
            case "Exact" -> "=" + value;
            case "RegularExpression" -> "~" + value;
            default -> value;
          });
    }
    return out.isEmpty() ? "/" : String.join(",", out);
  }

  /** A route's backend in short: its endpoints, or each split item as {@code target*weight}. */
  private static String backends(JsonNode route) {
    JsonNode backend = route.path("backend");
    if (backend.isObject()) {
      return target(backend);
    }
    List<String> out = new ArrayList<>();
    for (JsonNode ref : route.path("backendRefs")) {
      out.add(target(ref) + "*" + ref.path("weight").asText("1"));
    }
    return out.isEmpty() ? "<none>" : String.join(" ", out);
  }

  private static String target(JsonNode backend) {
    if (backend.hasNonNull("backend")) {
      return "backend:" + backend.path("backend").asText();
    }
    JsonNode service = backend.path("service");
    if (service.isObject()) {
      return "service:" + service.path("name").asText() + ":" + service.path("port").asText();
    }
    return endpoints(backend.path("endpoints"));
  }

  private static String endpoints(JsonNode endpoints) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : endpoints) {
      out.add(e.isTextual() ? e.asText() : e.path("address").asText());
    }
    return out.isEmpty() ? "<none>" : String.join(",", out);
  }
}
