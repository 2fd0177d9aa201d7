package io.gatehouse.admin.translate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.document.DocPath;
import io.gatehouse.document.DocumentReader;
import io.gatehouse.document.DocumentWriter;
import io.gatehouse.document.Read;
import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;

/**
 * A named backend's REST body is one item of the routes file's {@code backends:}: read by {@link
 * DocumentReader#readBackend} (problems become {@link FieldError}s at their JSON pointers) and
 * answered by {@link DocumentWriter#backend} (a client certificate's private key is never written).
 * REST adds the answer's {@code revision} and {@code source} (who owns the object).
 */
public final class RestBackends {
  /** The owning source of backends written through the admin API: the one REST routes have. */
  public static final String SOURCE = RestRoutes.SOURCE;

  private static final ObjectMapper JSON = new ObjectMapper();

  private RestBackends() {}

  /** The validated backend stored under {@code key}, or the problems at their body pointers. */
  public static Translated<BackendObject> read(BackendKey key, JsonObject body) {
    Read<BackendObject> read = DocumentReader.readBackend(tree(body), DocPath.ROOT, key, SOURCE);
    if (read.isValid()) {
      // The reader answers no value only with a problem.
      return Translated.ok(Objects.requireNonNull(read.value(), "a valid read's backend"));
    }
    return Translated.failed(read.problems().stream().map(FieldError::of).toList());
  }

  /**
   * The backend as the document writes it, with its {@code revision} and owning {@code source}
   * after name and tenant.
   */
  public static JsonObject write(BackendObject backend, long revision) {
    ObjectNode doc = DocumentWriter.backend(backend);
    @SuppressWarnings("unchecked")
    Map<String, Object> map = JSON.convertValue(doc, Map.class);
    JsonObject out = new JsonObject();
    out.put("name", map.remove("name"));
    out.put("tenant", map.remove("tenant"));
    out.put("revision", revision);
    out.put("source", backend.source());
    map.forEach(out::put);
    return out;
  }

  /**
   * Where endpoint {@code i} of a read body gave its address: {@code /endpoints/i/address}, or
   * {@code /endpoints/i} for the string form.
   */
  public static String endpointPointer(JsonObject body, int i) {
    String at = "/endpoints/" + i;
    JsonArray eps = body.getValue("endpoints") instanceof JsonArray a ? a : null;
    return eps != null && i < eps.size() && eps.getValue(i) instanceof String
        ? at
        : at + "/address";
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
