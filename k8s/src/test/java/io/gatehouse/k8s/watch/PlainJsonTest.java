package io.gatehouse.k8s.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlainJsonTest {
  @Test
  void integers_are_longs_fractions_doubles_and_nulls_are_dropped() {
    Map<String, Object> m =
        PlainJson.object(
            JsonParser.parseString(
                    "{\"port\":80,\"generation\":9007199254740993,\"weight\":0.5,\"on\":true,"
                        + "\"name\":\"web\",\"gone\":null,\"list\":[1,null,\"a\"],"
                        + "\"nested\":{\"exp\":1e2}}")
                .getAsJsonObject());
    assertThat(m)
        .containsEntry("port", 80L)
        // beyond a double's exact range: still exact
        .containsEntry("generation", 9007199254740993L)
        .containsEntry("weight", 0.5)
        .containsEntry("on", true)
        .containsEntry("name", "web")
        .doesNotContainKey("gone")
        .containsEntry("list", List.of(1L, "a"))
        .containsEntry("nested", Map.of("exp", 100L));
    assertThat(m.keySet()).startsWith("port", "generation", "weight");
  }

  @Test
  void the_maps_are_read_only() {
    Map<String, Object> m =
        PlainJson.object(JsonParser.parseString("{\"a\":[1]}").getAsJsonObject());
    assertThatThrownBy(() -> m.put("b", 1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> GatewayStatusWriter.list(m.get("a")).add(2))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
