package io.gatehouse.admin;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** What a handler answers: a status, headers and a JSON body (a problem when {@code problem}). */
public record Reply(
    int status, @Nullable JsonObject body, Map<String, String> headers, boolean problem) {
  public Reply {
    headers = Map.copyOf(headers);
  }

  public static Reply json(int status, JsonObject body) {
    return new Reply(status, body, Map.of(), false);
  }

  public static Reply empty(int status) {
    return new Reply(status, null, Map.of(), false);
  }

  public static Reply of(Problem p) {
    return new Reply(p.status(), p.toJson(), Map.of(), true);
  }

  public Reply header(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new Reply(status, body, h, problem);
  }

  public Reply etag(long revision) {
    return header("ETag", "\"" + revision + "\"");
  }
}
