package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.edge.TrustedProxies;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node's trusted proxies are replaced whole on reload; a shared set never is. */
class TrustedProxiesReloadTest {
  @Test
  void a_replaceable_set_takes_the_new_networks_and_keeps_the_old_on_a_bad_one() {
    TrustedProxies t = TrustedProxies.replaceable(List.of());
    assertThat(t.isEmpty()).isTrue();
    t.replace(List.of("10.0.0.0/8"));
    assertThat(t.contains("10.1.2.3")).isTrue();
    assertThatThrownBy(() -> t.replace(List.of("192.168.0.0/16", "10.0.0.0/40")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10.0.0.0/40");
    assertThat(t.contains("10.1.2.3")).isTrue();
    assertThat(t.contains("192.168.1.1")).isFalse();
    t.replace(List.of());
    assertThat(t.isEmpty()).isTrue();
  }

  @Test
  void the_shared_empty_set_and_parsed_sets_are_never_replaced() {
    assertThatThrownBy(() -> TrustedProxies.none().replace(List.of("10.0.0.0/8")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> TrustedProxies.parse(List.of()).replace(List.of("10.0.0.0/8")))
        .isInstanceOf(IllegalStateException.class);
    assertThat(TrustedProxies.none().isEmpty()).isTrue();
  }
}
