package io.gatehouse.document;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The route body's schema in the OpenAPI contract, walked into sites (every object, array and leaf
 * a document can hold, with {@code $ref}, {@code allOf}, {@code oneOf} and {@code anyOf} resolved:
 * each alternative of a {@code oneOf} is a site of its own at the same path) and the samples the
 * contract gives for them. Test code: admin-api has no test-jar, so {@code BadInputIT.walk} (which
 * mutates one valid body) was not shared; this walker generates bodies from the schema alone.
 */
final class ContractSchema {
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The vendor keyword for values JSON Schema cannot generate (addresses, PEM, durations...). */
  static final String SAMPLE = "x-gatehouse-sample";

  /** What stands in for a leaf the contract gives no sample for. */
  static final String NO_SAMPLE = "<no x-gatehouse-sample>";

  /** The vendor keyword for values the schema allows and a semantic rule refuses. */
  static final String INVALID = "x-gatehouse-invalid";

  /**
   * The vendor keyword of a list for a valid item put after the sampled one, where the items have
   * rules across them (a canary backend needs another backend beside it).
   */
  static final String SIBLING = "x-gatehouse-sibling";

  enum Kind {
    OBJECT,
    ARRAY,
    LEAF
  }

  /**
   * A place in the document: its path (keys, and index 0 for an array's items), its schema
   * (resolved) and the resolved schema of each container on the way, {@code chain.get(i)} holding
   * {@code path.get(i)}.
   */
  record Site(Kind kind, List<Object> path, JsonObject schema, List<JsonObject> chain) {
    DocPath docPath() {
      DocPath p = DocPath.ROOT;
      for (Object o : path) {
        p = o instanceof Integer i ? p.index(i) : p.key((String) o);
      }
      return p;
    }

    @Override
    public String toString() {
      String at = docPath().toString();
      String type = schema.getString("type", schema.containsKey("enum") ? "enum" : "?");
      return (at.isEmpty() ? "(route)" : at) + " <" + type + ">";
    }
  }

  private final JsonObject schemas;
  private final UnaryOperator<String> placeholders;

  /**
   * @param placeholders turns a sample the contract cannot hold as is (a PEM, written {@code
   *     <pem:NAME>}) into the value a test generates
   */
  ContractSchema(JsonObject contract, UnaryOperator<String> placeholders) {
    this.schemas = contract.getJsonObject("components").getJsonObject("schemas");
    this.placeholders = placeholders;
  }

  JsonObject named(String name) {
    return resolve(new JsonObject().put("$ref", "#/components/schemas/" + name));
  }

  /** Every site under {@code root}, parents before children. */
  List<Site> walk(JsonObject root) {
    List<Site> out = new ArrayList<>();
    walk(root, List.of(), List.of(), out, 0);
    return out;
  }

  private void walk(
      JsonObject raw, List<Object> path, List<JsonObject> chain, List<Site> out, int depth) {
    if (depth > 32) {
      throw new IllegalStateException("schema nests deeper than 32 at " + path);
    }
    JsonObject s = resolve(raw);
    JsonArray alternatives =
        s.containsKey("oneOf") ? s.getJsonArray("oneOf") : s.getJsonArray("anyOf");
    if (alternatives != null) {
      for (int i = 0; i < alternatives.size(); i++) {
        walk(alternative(s, alternatives, i), path, chain, out, depth + 1);
      }
      return;
    }
    String type = s.getString("type");
    if ("object".equals(type) || s.containsKey("properties")) {
      out.add(new Site(Kind.OBJECT, path, s, chain));
      JsonObject props = s.getJsonObject("properties", new JsonObject());
      for (String name : props.fieldNames()) {
        walk(props.getJsonObject(name), plus(path, name), plus(chain, s), out, depth + 1);
      }
    } else if ("array".equals(type)) {
      out.add(new Site(Kind.ARRAY, path, s, chain));
      walk(s.getJsonObject("items"), plus(path, 0), plus(chain, s), out, depth + 1);
    } else {
      out.add(new Site(Kind.LEAF, path, s, chain));
    }
  }

  /**
   * Alternative {@code i} of {@code s}'s {@code oneOf} (or {@code anyOf}) with {@code s}'s own
   * keys: the required keys of both, and without the properties it cannot hold (those its {@code
   * not} requires, and for "exactly one of" alternatives, those another alternative requires).
   */
  JsonObject alternative(JsonObject s, JsonArray alternatives, int i) {
    JsonObject alt = resolve(alternatives.getJsonObject(i));
    JsonObject merged = s.copy();
    merged.remove("oneOf");
    merged.remove("anyOf");
    Set<String> required = new LinkedHashSet<>();
    s.getJsonArray("required", new JsonArray()).forEach(r -> required.add((String) r));
    alt.getJsonArray("required", new JsonArray()).forEach(r -> required.add((String) r));
    merged.mergeIn(alt);
    merged.remove("not");
    if (!required.isEmpty()) {
      merged.put("required", new JsonArray(new ArrayList<>(required)));
    }
    Set<String> excluded = new HashSet<>();
    JsonObject not = alt.getJsonObject("not");
    if (not != null) {
      not.getJsonArray("required", new JsonArray()).forEach(r -> excluded.add((String) r));
      // not: {anyOf: [{required: [a]}, {required: [b]}]} excludes a and b alike
      for (Object any : not.getJsonArray("anyOf", new JsonArray())) {
        ((JsonObject) any)
            .getJsonArray("required", new JsonArray())
            .forEach(r -> excluded.add((String) r));
      }
    }
    if (s.containsKey("oneOf")) {
      for (int j = 0; j < alternatives.size(); j++) {
        if (j != i) {
          resolve(alternatives.getJsonObject(j))
              .getJsonArray("required", new JsonArray())
              .forEach(r -> excluded.add((String) r));
        }
      }
    }
    excluded.removeAll(required);
    if (!excluded.isEmpty() && merged.containsKey("properties")) {
      JsonObject props = merged.getJsonObject("properties").copy();
      excluded.forEach(props::remove);
      merged.put("properties", props);
    }
    return merged;
  }

  /**
   * {@code $ref} and {@code allOf} folded in (the schema's own keys win over a referenced one's).
   */
  JsonObject resolve(JsonObject schema) {
    JsonObject s = schema;
    for (int hops = 0; s.containsKey("$ref") || s.containsKey("allOf"); hops++) {
      if (hops > 32) {
        throw new IllegalStateException("$ref/allOf loop at " + schema);
      }
      JsonObject own = s.copy();
      JsonObject base = new JsonObject();
      Object ref = own.remove("$ref");
      if (ref != null) {
        String r = (String) ref;
        base.mergeIn(schemas.getJsonObject(r.substring(r.lastIndexOf('/') + 1)).copy());
      }
      Object all = own.remove("allOf");
      if (all != null) {
        for (Object part : (JsonArray) all) {
          base.mergeIn(resolve((JsonObject) part));
        }
      }
      s = base.mergeIn(own);
    }
    return s;
  }

  /**
   * The values the contract says are valid here: {@code examples}, {@code example}, {@code
   * default}, every {@code enum} value or the {@code const}, the bounds of an integer, both
   * booleans and the vendor samples ({@value #SAMPLE}). Empty means the contract gives none.
   */
  List<JsonNode> validSamples(JsonObject s) {
    List<Object> raw = new ArrayList<>();
    JsonArray sample = s.getJsonArray(SAMPLE);
    if (sample != null) {
      sample.forEach(raw::add);
    }
    if (s.containsKey("examples")) {
      s.getJsonArray("examples").forEach(raw::add);
    }
    if (s.containsKey("example")) {
      raw.add(s.getValue("example"));
    }
    if (s.containsKey("default")) {
      raw.add(s.getValue("default"));
    }
    if (s.containsKey("enum")) {
      s.getJsonArray("enum").forEach(raw::add);
    }
    if (s.containsKey("const")) {
      raw.add(s.getValue("const"));
    }
    if ("integer".equals(s.getString("type"))) {
      if (s.containsKey("minimum")) {
        raw.add(s.getLong("minimum"));
      }
      if (s.containsKey("maximum")) {
        raw.add(s.getLong("maximum"));
      }
    }
    if ("boolean".equals(s.getString("type"))) {
      raw.add(true);
      raw.add(false);
    }
    List<JsonNode> out = new ArrayList<>();
    for (Object o : raw) {
      JsonNode n = expand(node(o));
      if (!out.contains(n) && fits(n, s)) {
        out.add(n);
      }
    }
    return out;
  }

  /** An object sample has the schema's required keys and no key it has no property for. */
  private static boolean fits(JsonNode n, JsonObject s) {
    if (!n.isObject() || !s.containsKey("properties")) {
      return true;
    }
    for (Object req : s.getJsonArray("required", new JsonArray())) {
      if (!n.has((String) req)) {
        return false;
      }
    }
    JsonObject props = s.getJsonObject("properties");
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      if (!props.containsKey(it.next())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Values the schema allows and the reader must refuse by a rule the schema cannot state (a regex
   * that does not compile, an address without a port), from the vendor keyword {@value #INVALID}.
   */
  List<JsonNode> semanticInvalid(JsonObject s) {
    List<JsonNode> out = new ArrayList<>();
    JsonArray given = s.getJsonArray(INVALID);
    if (given != null) {
      given.forEach(o -> out.add(expand(node(o))));
    }
    return out;
  }

  /** An object with only its required keys, each at its minimal value. */
  ObjectNode requiredOnly(JsonObject s) {
    ObjectNode o = NODES.objectNode();
    JsonObject props = s.getJsonObject("properties", new JsonObject());
    for (Object req : s.getJsonArray("required", new JsonArray())) {
      o.set((String) req, minimal(props.getJsonObject((String) req)));
    }
    return o;
  }

  /**
   * The smallest valid instance: the first sample (for an object, the context its fields are tried
   * in), else an object's required keys or an array's minItems items.
   */
  JsonNode minimal(JsonObject raw) {
    JsonObject s = resolve(raw);
    if (s.containsKey("oneOf") || s.containsKey("anyOf")) {
      JsonArray alts = s.containsKey("oneOf") ? s.getJsonArray("oneOf") : s.getJsonArray("anyOf");
      return minimal(alternative(s, alts, 0));
    }
    List<JsonNode> samples = validSamples(s);
    if (!samples.isEmpty()) {
      return samples.get(0).deepCopy();
    }
    String type = s.getString("type");
    if ("object".equals(type) || s.containsKey("properties")) {
      return requiredOnly(s);
    }
    if ("array".equals(type)) {
      ArrayNode a = NODES.arrayNode();
      for (int i = 0; i < s.getInteger("minItems", 0); i++) {
        a.add(minimal(s.getJsonObject("items")));
      }
      return a;
    }
    // A leaf the contract gives no sample for: every_leaf_has_a_valid_sample... names it.
    return NODES.textNode(NO_SAMPLE);
  }

  /**
   * The whole route with {@code value} at the site's path: each container on the way is its minimal
   * instance (the minimal route at the top), and an array holds only the one item.
   */
  ObjectNode embed(Site site, JsonNode value) {
    return (ObjectNode) embed(site, 0, value);
  }

  private JsonNode embed(Site site, int depth, JsonNode value) {
    if (depth == site.path().size()) {
      return value;
    }
    JsonObject container = site.chain().get(depth);
    JsonNode inner = embed(site, depth + 1, value);
    if ("array".equals(container.getString("type"))) {
      ArrayNode a = NODES.arrayNode().add(inner);
      // A list whose items have rules across items (a canary needs another backend) names a
      // valid item to put beside the one sampled.
      Object sibling = container.getValue(SIBLING);
      if (sibling != null) {
        a.add(expand(node(sibling)));
      }
      return a;
    }
    ObjectNode o = (ObjectNode) minimal(container);
    String key = (String) site.path().get(depth);
    // The key goes last, so that a file problem on it is on its own line after the required ones.
    o.remove(key);
    o.set(key, inner);
    return o;
  }

  /** {@code node} with every placeholder text replaced. */
  private JsonNode expand(JsonNode node) {
    if (node.isTextual()) {
      return NODES.textNode(placeholders.apply(node.asText()));
    }
    if (node.isObject()) {
      ObjectNode o = NODES.objectNode();
      node.fields().forEachRemaining(e -> o.set(e.getKey(), expand(e.getValue())));
      return o;
    }
    if (node.isArray()) {
      ArrayNode a = NODES.arrayNode();
      node.forEach(n -> a.add(expand(n)));
      return a;
    }
    return node;
  }

  static JsonNode node(Object o) {
    try {
      return o instanceof JsonObject j
          ? JSON.readTree(j.encode())
          : o instanceof JsonArray a ? JSON.readTree(a.encode()) : JSON.valueToTree(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e); // Vert.x just encoded it
    }
  }

  private static <T> List<T> plus(List<T> list, T item) {
    List<T> out = new ArrayList<>(list);
    out.add(item);
    return List.copyOf(out);
  }
}
