package io.gatehouse.admin.translate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.document.DocPath;
import io.gatehouse.document.DocumentReader;
import io.gatehouse.document.DocumentWriter;
import io.gatehouse.document.Read;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.validate.Violation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A route's REST body is the route document, the same one the routes file holds: read by {@link
 * DocumentReader} (problems become {@link FieldError}s at their JSON pointers) and answered by
 * {@link DocumentWriter} (private keys, password hashes and inline JWT keys never written). Only
 * the answer's {@code revision} is REST's.
 */
public final class RestRoutes {
  /** The table source of every route written through the admin API. */
  public static final String SOURCE = "api";

  private static final ObjectMapper JSON = new ObjectMapper();

  private RestRoutes() {}

  /** The validated spec stored under {@code key}, or the problems at their body pointers. */
  public static Translated<RouteSpec> read(RouteKey key, JsonObject body) {
    return read(key, body, null);
  }

  /**
   * As {@link #read(RouteKey, JsonObject)} over the route {@code stored} under the key (null:
   * none): the write-only secrets a GET answer leaves out keep their stored values ({@link
   * DocumentReader#readRoute(JsonNode, DocPath, RouteKey, RouteSpec)}).
   */
  public static Translated<RouteSpec> read(
      RouteKey key, JsonObject body, @Nullable RouteSpec stored) {
    Read<RouteSpec> read = DocumentReader.readRoute(tree(body), DocPath.ROOT, key, stored);
    if (read.isValid()) {
      // The reader answers no value only with a problem.
      return Translated.ok(Objects.requireNonNull(read.value(), "a valid read's route"));
    }
    return Translated.failed(read.problems().stream().map(FieldError::of).toList());
  }

  /** The route as the document writes it, with its {@code revision} after name and tenant. */
  public static JsonObject write(RouteSpec spec, long revision) {
    ObjectNode doc = DocumentWriter.route(spec);
    @SuppressWarnings("unchecked")
    Map<String, Object> map = JSON.convertValue(doc, Map.class);
    JsonObject out = new JsonObject();
    out.put("name", map.remove("name"));
    out.put("tenant", map.remove("tenant"));
    out.put("revision", revision);
    map.forEach(out::put);
    return out;
  }

  /** An access policy as a route answer writes it: without hashes or inline key material. */
  public static JsonObject accessPolicy(PolicySpec p) {
    @SuppressWarnings("unchecked")
    Map<String, Object> map = JSON.convertValue(DocumentWriter.accessPolicy(p), Map.class);
    return new JsonObject(map);
  }

  /**
   * Where backend {@code b} of a read body is: {@code /backend} for the shorthand, else {@code
   * /backendRefs/b}.
   */
  public static String backendPointer(JsonObject body, int b) {
    return body.containsKey("backendRefs") ? "/backendRefs/" + b : "/backend";
  }

  /**
   * Where endpoint {@code i} of backend {@code b} of a read body gave its address: {@code
   * /backend/endpoints/i/address} (or {@code /backendRefs/b/...}), or {@code .../endpoints/i} for
   * the string form.
   */
  public static String endpointPointer(JsonObject body, int b, int i) {
    String at = backendPointer(body, b) + "/endpoints/" + i;
    JsonObject backend =
        body.getValue("backendRefs") instanceof JsonArray refs
            ? (b < refs.size() && refs.getValue(b) instanceof JsonObject o ? o : null)
            : body.getValue("backend") instanceof JsonObject o ? o : null;
    JsonArray eps =
        backend != null && backend.getValue("endpoints") instanceof JsonArray a ? a : null;
    return eps != null && i < eps.size() && eps.getValue(i) instanceof String
        ? at
        : at + "/address";
  }

  /** A violation of a validator that checks the route's fields, at its body pointer. */
  public static FieldError fieldError(Violation v) {
    return new FieldError(DocumentReader.fieldPath(v.field()).pointer(), v.value(), v.rule());
  }

  /** Vert.x JSON as a Jackson tree; re-encoded, as the body's nested values may be either form. */
  private static JsonNode tree(JsonObject body) {
    try {
      return JSON.readTree(body.encode());
    } catch (JsonProcessingException e) {
      // Vert.x just encoded it: not reachable with a JsonObject.
      throw new UncheckedIOException(e);
    }
  }
}
