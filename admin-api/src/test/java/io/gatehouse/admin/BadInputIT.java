package io.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input for every field of every request body: cases generated from the contract's schemas
 * (wrong type, unknown field, too long, out of range, pattern, missing required) on top of a valid
 * body, plus the rules the schema cannot state (hosts, paths, regexes, addresses, PEM). Each must
 * answer 400 problem+json naming the field and leave the table's generation unchanged. A route body
 * is read by the route document's reader, so its problems are worded as the routes file words them,
 * never in the request validator's words; so is a named backend's body (one item of the file's
 * {@code backends:}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class BadInputIT {
  AdminApiFixture f;
  String t;
  JsonObject schemas;
  String pem;

  record Case(String name, String method, String path, JsonObject body, String pointer) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  void start() throws Exception {
    f = new AdminApiFixture();
    t = f.tenantWithToken("acme");
    f.put("/v1/tenants/acme/host-claims/www.acme.example", t, null);
    pem = TestCerts.body(TestCerts.selfSigned("www.acme.example"));
    assertThat(f.put("/v1/tenants/acme/certificates/www", t, pem).status()).isEqualTo(201);
    schemas = AdminApiVerticle.contractJson().getJsonObject("components").getJsonObject("schemas");
    for (Case c : validBodies()) {
      AdminApiFixture.Resp r = f.send(c.method(), c.path(), admin(c), c.body().encode());
      assertThat(r.status()).as("valid base " + c.name() + ": " + r).isLessThan(300);
    }
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  private String admin(Case c) {
    return c.path().startsWith("/v1/tokens") || c.path().equals("/v1/tenants/acme")
        ? AdminApiFixture.ADMIN
        : t;
  }

  static JsonObject validRoute() {
    return new JsonObject(
        """
        {"hosts":["www.acme.example"],
         "paths":[{"type":"Prefix","value":"/api"}],
         "methods":["GET"],
         "headers":[{"name":"x-a","type":"Exact","value":"1"}],
         "queries":[{"name":"q","type":"Exact","value":"v"}],
         "backend":{"protocol":"http1","endpoints":[{"address":"10.0.0.1:80","weight":1}],
                    "tls":{"serverName":"api.internal","verifyHostname":true,
                           "insecureSkipVerify":false}},
         "timeouts":{"connect":"5s","response":"5s","bodyIdle":"5s","request":"5s"},
         "maxRequestBodyBytes":1000,
         "priority":1,
         "tls":{"certificate":"www","hosts":["www.acme.example"],"redirect":"308",
                "hsts":{"maxAge":"1d","includeSubDomains":true,"preload":false},
                "clientAuth":{"mode":"none"}},
         "policies":[{"type":"RequestHeaders","set":{"x-env":"prod"},"add":{"x-via":"gh"},
                      "remove":["cookie"]},
                     {"type":"ResponseHeaders","set":{"cache-control":"no-store"}}]}
        """);
  }

  static JsonObject validBackend() {
    return new JsonObject(
        """
        {"name":"pool","tenant":"acme","protocol":"http1",
         "endpoints":[{"address":"10.0.0.1:80","weight":1}],
         "tls":{"serverName":"api.internal","verifyHostname":true,"insecureSkipVerify":false}}
        """);
  }

  List<Case> validBodies() {
    return List.of(
        new Case("RouteInput", "PUT", "/v1/tenants/acme/routes/web", validRoute(), ""),
        new Case("NamedBackendInput", "PUT", "/v1/tenants/acme/backends/pool", validBackend(), ""),
        new Case(
            "CertificateInput",
            "PUT",
            "/v1/tenants/acme/certificates/www",
            new JsonObject(pem),
            ""),
        new Case(
            "TenantInput",
            "PUT",
            "/v1/tenants/acme",
            new JsonObject().put("displayName", "ACME"),
            ""),
        new Case(
            "TokenInput",
            "POST",
            "/v1/tokens",
            new JsonObject().put("tenant", "acme").put("description", "d"),
            ""),
        new Case(
            "BatchInput",
            "POST",
            "/v1/tenants/acme/batch",
            new JsonObject()
                .put(
                    "items",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("op", "put")
                                .put("kind", "route")
                                .put("name", "web")
                                .put("route", validRoute()))),
            ""));
  }

  Stream<Arguments> cases() {
    List<Case> out = new ArrayList<>();
    for (Case base : validBodies()) {
      walk(base, schemas.getJsonObject(base.name()), "", out);
    }
    out.addAll(semantic());
    return out.stream().map(Arguments::of);
  }

  /**
   * The walk must reach every field the valid bodies set: a schema form it cannot follow would
   * otherwise drop cases without a word (a {@code oneOf} of required sets beside {@code type} once
   * cut the route body's cases from 252 to 55).
   */
  @Test
  void the_walk_reaches_every_field_of_the_valid_bodies() {
    List<String> missed = new ArrayList<>();
    for (Case base : validBodies()) {
      List<Case> out = new ArrayList<>();
      walk(base, schemas.getJsonObject(base.name()), "", out);
      Set<String> reached = new HashSet<>();
      for (Case c : out) {
        reached.add(c.name().substring(base.name().length()).split(" ")[0]);
      }
      List<String> leaves = new ArrayList<>();
      leaves(base.body(), "", leaves);
      for (String leaf : leaves) {
        if (!reached.contains(leaf)) {
          missed.add(base.name() + leaf);
        }
      }
    }
    assertThat(missed).as("fields of the valid bodies no case mutates").isEmpty();
  }

  /** The pointers of the scalar fields of {@code value} (the first item of each array). */
  private static void leaves(Object value, String pointer, List<String> out) {
    if (value instanceof JsonObject o) {
      for (String name : o.fieldNames()) {
        leaves(o.getValue(name), pointer + "/" + name, out);
      }
    } else if (value instanceof JsonArray a) {
      if (!a.isEmpty()) {
        leaves(a.getValue(0), pointer + "/0", out);
      }
    } else {
      out.add(pointer);
    }
  }

  /** Mutations of every property reachable from {@code schema} at {@code pointer}. */
  private void walk(Case base, JsonObject schema, String pointer, List<Case> out) {
    schema = alternative(resolve(schema), get(base.body(), pointer));
    String type = schema.getString("type");
    if ("object".equals(type)) {
      if (Boolean.FALSE.equals(schema.getValue("additionalProperties"))) {
        out.add(
            mutate(
                base,
                pointer,
                "unknown field",
                o -> ((JsonObject) o).put("zzUnknown", 1),
                pointer + "/zzUnknown"));
      }
      if (!pointer.isEmpty()) {
        out.add(mutate(base, pointer, "wrong type", null, pointer, "not an object"));
      }
      JsonObject props = schema.getJsonObject("properties", new JsonObject());
      for (String name : props.fieldNames()) {
        if (get(base.body(), pointer + "/" + name) == null) {
          continue;
        }
        walk(base, props.getJsonObject(name), pointer + "/" + name, out);
      }
      if (schema.getValue("additionalProperties") instanceof JsonObject values) {
        mapEntries(base, values, pointer, out);
      }
      for (Object req : schema.getJsonArray("required", new JsonArray())) {
        out.add(
            mutate(
                base,
                pointer,
                "missing " + req,
                o -> ((JsonObject) o).remove((String) req),
                pointer.isEmpty() ? "/" : pointer));
      }
    } else if ("array".equals(type)) {
      out.add(mutate(base, pointer, "wrong type", null, pointer, "not an array"));
      if (get(base.body(), pointer + "/0") != null) {
        walk(base, schema.getJsonObject("items"), pointer + "/0", out);
      }
    } else if ("string".equals(type)) {
      // Not a number: the document reader takes a number where text is due (YAML's 1 for "1").
      out.add(mutate(base, pointer, "wrong type", null, pointer, new JsonObject().put("x", 1)));
      if (schema.containsKey("maxLength")) {
        out.add(
            mutate(
                base,
                pointer,
                "too long",
                null,
                pointer,
                "a".repeat(schema.getInteger("maxLength") + 1)));
      }
      if (schema.containsKey("pattern") || schema.containsKey("enum")) {
        out.add(mutate(base, pointer, "pattern", null, pointer, "#not valid#"));
      }
    } else if ("integer".equals(type)) {
      // Not a numeric string: a byte size may be written "7".
      out.add(mutate(base, pointer, "wrong type", null, pointer, true));
      if (schema.containsKey("maximum")) {
        out.add(
            mutate(base, pointer, "above maximum", null, pointer, schema.getLong("maximum") + 1));
      }
      if (schema.containsKey("minimum")) {
        out.add(
            mutate(base, pointer, "below minimum", null, pointer, schema.getLong("minimum") - 1));
      }
    } else if ("boolean".equals(type)) {
      out.add(mutate(base, pointer, "wrong type", null, pointer, "yes"));
    } else if (schema.containsKey("enum")) {
      // An enum of mixed types (redirect: 'off' or a status, as text or a number).
      out.add(mutate(base, pointer, "outside the enum", null, pointer, "#not valid#"));
      out.add(mutate(base, pointer, "wrong type", null, pointer, new JsonObject().put("x", 1)));
    }
  }

  /**
   * A mapping of names to values (a header policy's set and add): each entry the valid body has,
   * with a name that is not a header token, a name Gatehouse owns, and a value with CR LF, an
   * unknown variable or a stray '$' (the schema's pattern), too long or not text.
   */
  private void mapEntries(Case base, JsonObject values, String pointer, List<Case> out) {
    JsonObject map = (JsonObject) get(base.body(), pointer);
    for (String name : map.fieldNames()) {
      String at = pointer + "/" + name;
      Object value = map.getValue(name);
      for (String bad : List.of("bad name", "Connection")) {
        JsonObject body = base.body().copy();
        JsonObject edited = (JsonObject) get(body, pointer);
        edited.remove(name);
        edited.put(bad, value);
        out.add(
            new Case(
                base.name() + at + " name " + bad,
                base.method(),
                base.path(),
                body,
                pointer + "/" + bad));
      }
      out.add(mutate(base, at, "control characters", null, at, "a\r\nx-injected: 1"));
      // Only the listed variables are read; anything else after a '$' is refused, never sent.
      out.add(mutate(base, at, "unknown variable", null, at, "${remote_addr}"));
      out.add(mutate(base, at, "stray dollar", null, at, "$host"));
      out.add(mutate(base, at, "wrong type", null, at, new JsonObject().put("x", 1)));
      out.add(
          mutate(base, at, "too long", null, at, "a".repeat(values.getInteger("maxLength") + 1)));
    }
  }

  private JsonObject resolve(JsonObject schema) {
    while (schema.containsKey("$ref") || schema.containsKey("allOf")) {
      if (schema.containsKey("allOf")) {
        schema = schema.getJsonArray("allOf").getJsonObject(0);
        continue;
      }
      String ref = schema.getString("$ref");
      schema = schemas.getJsonObject(ref.substring(ref.lastIndexOf('/') + 1));
    }
    return schema;
  }

  /** Of a {@code oneOf} (the document's shorthands), the form the valid body uses here. */
  private JsonObject alternative(JsonObject schema, Object value) {
    // A typed schema's oneOf only says which of its fields go together ("backend or backendRefs").
    if (!schema.containsKey("oneOf") || schema.containsKey("type")) {
      return schema;
    }
    String type =
        value instanceof JsonObject
            ? "object"
            : value instanceof JsonArray
                ? "array"
                : value instanceof String
                    ? "string"
                    : value instanceof Boolean ? "boolean" : "integer";
    for (Object o : schema.getJsonArray("oneOf")) {
      JsonObject alt = resolve((JsonObject) o);
      if (type.equals(alt.getString("type"))) {
        return alt;
      }
    }
    return new JsonObject();
  }

  private Case mutate(
      Case base,
      String pointer,
      String what,
      Consumer<Object> edit,
      String expected,
      Object... replacement) {
    JsonObject body = base.body().copy();
    if (edit != null) {
      edit.accept(pointer.isEmpty() ? body : get(body, pointer));
    } else {
      set(body, pointer, replacement[0]);
    }
    return new Case(
        base.name() + (pointer.isEmpty() ? "/" : pointer) + " " + what,
        base.method(),
        base.path(),
        body,
        expected);
  }

  private List<Case> semantic() {
    List<Case> out = new ArrayList<>();
    Case r = validBodies().get(0);
    out.add(edit(r, "invalid host", "/hosts/0", "bad_host!.example"));
    out.add(edit(r, "ip as host", "/hosts/0", "10.1.2.3"));
    out.add(edit(r, "path without slash", "/paths/0/value", "api"));
    out.add(edit(r, "path with dot segment", "/paths/0/value", "/a/../b"));
    out.add(
        editAt(
            r,
            "invalid regex",
            "/paths/0",
            new JsonObject().put("type", "RegularExpression").put("value", "(unclosed"),
            "/paths/0/value"));
    out.add(
        editAt(
            r,
            "backreference regex",
            "/headers/0",
            new JsonObject()
                .put("name", "x-a")
                .put("type", "RegularExpression")
                .put("value", "(a)\\1"),
            "/headers/0/value"));
    out.add(edit(r, "address without port", "/backend/endpoints/0/address", "10.0.0.1"));
    out.add(edit(r, "address string without port", "/backend/endpoints/0", "10.0.0.1"));
    out.add(edit(r, "path string without slash", "/paths/0", "api"));
    out.add(edit(r, "redirect number not a redirect", "/tls/redirect", 300));
    out.add(edit(r, "byte size with an unknown unit", "/maxRequestBodyBytes", "10MB"));
    out.add(edit(r, "duration over a day", "/timeouts/connect", "1d1s"));
    out.add(edit(r, "h2c with backend tls", "/backend/protocol", "h2c"));
    out.add(edit(r, "address port out of range", "/backend/endpoints/0/address", "10.0.0.1:70000"));
    out.add(edit(r, "metadata address", "/backend/endpoints/0/address", "169.254.169.254:80"));
    out.add(edit(r, "ipv6 link-local", "/backend/endpoints/0/address", "[fe80::1]:80"));
    out.add(edit(r, "aws ipv6 metadata", "/backend/endpoints/0/address", "[fd00:ec2::254]:80"));
    out.add(
        edit(r, "metadata name", "/backend/endpoints/0/address", "metadata.google.internal:80"));
    out.add(edit(r, "bad method token", "/methods/0", "GE T"));
    out.add(edit(r, "tls host not of the route", "/tls/hosts/0", "other.acme.example"));
    out.add(edit(r, "tls unknown certificate", "/tls/certificate", "nope"));
    Case b = validBodies().get(1);
    out.add(edit(b, "address without port", "/endpoints/0/address", "10.0.0.1"));
    out.add(edit(b, "address string without port", "/endpoints/0", "10.0.0.1"));
    out.add(edit(b, "address port out of range", "/endpoints/0/address", "10.0.0.1:70000"));
    out.add(edit(b, "h2c with backend tls", "/protocol", "h2c"));
    out.add(edit(b, "metadata address", "/endpoints/0/address", "169.254.169.254:80"));
    out.add(edit(b, "metadata address string", "/endpoints/0", "169.254.169.254:80"));
    out.add(edit(b, "ipv6 link-local", "/endpoints/0/address", "[fe80::1]:80"));
    out.add(edit(b, "metadata name", "/endpoints/0/address", "metadata.google.internal:80"));
    out.add(edit(b, "another backend's name", "/name", "other"));
    out.add(edit(b, "another tenant", "/tenant", "beta"));
    out.add(edit(b, "a route's weight", "/weight", 3));
    out.add(edit(b, "a service", "/service", new JsonObject().put("name", "web").put("port", 80)));
    Case c = validBodies().get(2);
    out.add(
        edit(
            c,
            "bad PEM chain",
            "/certificateChainPem",
            "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"));
    out.add(edit(c, "no PEM block", "/certificateChainPem", "hello"));
    out.add(
        edit(
            c,
            "bad PEM key",
            "/privateKeyPem",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
    out.add(
        edit(
            c,
            "key of another certificate",
            "/privateKeyPem",
            TestCerts.selfSigned("www.acme.example").key()));
    return out;
  }

  private Case edit(Case base, String what, String pointer, Object value) {
    return editAt(base, what, pointer, value, pointer);
  }

  private Case editAt(Case base, String what, String pointer, Object value, String expected) {
    JsonObject body = base.body().copy();
    set(body, pointer, value);
    return new Case(base.name() + " " + what, base.method(), base.path(), body, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void is_refused_naming_the_field_and_changes_nothing(Case c) {
    long before = f.table.view().generation();
    AdminApiFixture.Resp r = f.send(c.method(), c.path(), admin(c), c.body().encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    JsonObject problem = r.json();
    assertThat(problem.getString("type")).isEqualTo(Problem.TYPE_BASE + "validation");
    List<String> pointers =
        problem.getJsonArray("errors").stream()
            .map(e -> ((JsonObject) e).getString("pointer"))
            .toList();
    String expected = c.pointer();
    assertThat(pointers)
        .as(r.toString())
        .anyMatch(
            p -> p.equals(expected) || p.startsWith(expected.equals("/") ? "/" : expected + "/"));
    boolean routeBody =
        c.name().startsWith("RouteInput")
            || c.name().startsWith("NamedBackendInput")
            || (c.name().startsWith("BatchInput/items/0/route")
                && !expected.equals("/items/0/route"));
    if (routeBody) {
      // The routes file's forms: a value and its rule, a missing key, an unknown key; or REST's
      // own hosts rule. (A batch item's route that is not an object is the request schema's.)
      assertThat(
              problem.getJsonArray("errors").stream()
                  .map(e -> ((JsonObject) e).getString("message")))
          .as(r.toString())
          .allMatch(
              m ->
                  m.contains(" (expected: ")
                      || m.contains(" (expected one of: ")
                      || m.endsWith(": at least one host, each claimed by the tenant"));
    }
    assertThat(f.table.view().generation()).isEqualTo(before);
  }

  // --- JSON pointer helpers ------------------------------------------------------------------

  static Object get(Object root, String pointer) {
    Object cur = root;
    for (String seg : pointer.split("/")) {
      if (seg.isEmpty()) {
        continue;
      }
      if (cur instanceof JsonObject o) {
        cur = o.getValue(seg);
      } else if (cur instanceof JsonArray a) {
        int i = Integer.parseInt(seg);
        cur = i < a.size() ? a.getValue(i) : null;
      } else {
        return null;
      }
    }
    return cur;
  }

  static void set(JsonObject root, String pointer, Object value) {
    int slash = pointer.lastIndexOf('/');
    Object parent = get(root, pointer.substring(0, slash));
    String last = pointer.substring(slash + 1);
    if (parent instanceof JsonObject o) {
      o.put(last, value);
    } else if (parent instanceof JsonArray a) {
      a.set(Integer.parseInt(last), value);
    }
  }
}
