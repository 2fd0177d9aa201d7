package io.gatehouse.k8s.watch;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Gson's JSON tree as plain, unmodifiable Java values ({@code Map}, {@code List}, {@code String},
 * {@code Long} for integers, {@code Double} otherwise, {@code Boolean}, null): the form {@link
 * io.gatehouse.k8s.translate.gateway.GatewayState} hands the translator, so it never sees Gson.
 */
final class PlainJson {
  private PlainJson() {}

  /** An object as an unmodifiable map in the server's key order. */
  static Map<String, Object> object(JsonObject o) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : o.entrySet()) {
      Object v = value(e.getValue());
      if (v != null) {
        out.put(e.getKey(), v);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  static @Nullable Object value(@Nullable JsonElement e) {
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (e.isJsonObject()) {
      return object(e.getAsJsonObject());
    }
    if (e.isJsonArray()) {
      JsonArray a = e.getAsJsonArray();
      List<Object> out = new ArrayList<>(a.size());
      for (JsonElement item : a) {
        Object v = value(item);
        // a null item in a Kubernetes list is meaningless; List.copyOf refuses nulls
        if (v != null) {
          out.add(v);
        }
      }
      return List.copyOf(out);
    }
    JsonPrimitive p = e.getAsJsonPrimitive();
    if (p.isBoolean()) {
      return p.getAsBoolean();
    }
    if (p.isNumber()) {
      // integers stay exact (generation, port); JSON has one number type, the schema says which
      BigDecimal d = p.getAsBigDecimal();
      try {
        return d.longValueExact();
      } catch (ArithmeticException notIntegral) {
        return d.doubleValue();
      }
    }
    return p.getAsString();
  }
}
