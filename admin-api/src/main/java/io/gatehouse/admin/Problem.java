package io.gatehouse.admin;

import io.gatehouse.admin.translate.FieldError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An RFC 9457 problem: a stable {@code type} URI per kind of error, and for validation the bad
 * fields as JSON pointers.
 */
public record Problem(
    int status,
    String slug,
    String title,
    @Nullable String detail,
    List<FieldError> errors,
    JsonObject extra) {
  public static final String TYPE_BASE = "https://gatehouse.dev/problems/";

  public Problem {
    errors = List.copyOf(errors);
    extra = extra == null ? new JsonObject() : extra;
  }

  public static Problem of(int status, String slug, String title) {
    return new Problem(status, slug, title, null, List.of(), new JsonObject());
  }

  public static Problem of(int status, String slug, String title, @Nullable String detail) {
    return new Problem(status, slug, title, detail, List.of(), new JsonObject());
  }

  public static Problem invalid(List<FieldError> errors) {
    return new Problem(
        400,
        "validation",
        "The request is not valid",
        errors.size() + (errors.size() == 1 ? " problem" : " problems"),
        errors,
        new JsonObject());
  }

  public static Problem notFound() {
    return of(404, "not-found", "Not found");
  }

  public static Problem forbidden(String detail) {
    return of(403, "forbidden", "This token may not do that", detail);
  }

  public Problem with(String key, Object value) {
    JsonObject e = extra.copy().put(key, value);
    return new Problem(status, slug, title, detail, errors, e);
  }

  public JsonObject toJson() {
    JsonObject o =
        new JsonObject().put("type", TYPE_BASE + slug).put("title", title).put("status", status);
    if (detail != null) {
      o.put("detail", detail);
    }
    if (!errors.isEmpty()) {
      JsonArray a = new JsonArray();
      for (FieldError f : errors) {
        JsonObject fe =
            new JsonObject()
                .put("pointer", f.pointer())
                .put("rule", f.rule())
                .put("message", f.message());
        if (f.value() != null) {
          fe.put("value", f.value());
        }
        a.add(fe);
      }
      o.put("errors", a);
    }
    return o.mergeIn(extra);
  }
}
