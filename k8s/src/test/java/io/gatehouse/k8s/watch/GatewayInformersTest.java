package io.gatehouse.k8s.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.k8s.translate.gateway.GatewayKind;
import io.gatehouse.k8s.watch.GatewayApiOptions.Mode;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which kinds each {@code kubernetes.gatewayApi} mode watches, given what the server serves. */
class GatewayInformersTest {
  private static final Set<GatewayKind> ALL = EnumSet.allOf(GatewayKind.class);
  private static final Set<GatewayKind> CORE_ONLY =
      EnumSet.of(GatewayKind.GATEWAY_CLASS, GatewayKind.GATEWAY, GatewayKind.HTTP_ROUTE);
  private static final Set<GatewayKind> NONE = EnumSet.noneOf(GatewayKind.class);

  @Test
  void auto_watches_what_is_served_and_nothing_without_the_core_kinds() {
    assertThat(GatewayInformers.choose(Mode.AUTO, ALL)).isEqualTo(ALL);
    assertThat(GatewayInformers.choose(Mode.AUTO, CORE_ONLY)).isEqualTo(CORE_ONLY);
    assertThat(GatewayInformers.choose(Mode.AUTO, NONE)).isEmpty();
    // routes without Gateways could never attach: not served at all
    assertThat(GatewayInformers.choose(Mode.AUTO, EnumSet.of(GatewayKind.HTTP_ROUTE))).isEmpty();
  }

  @Test
  void true_refuses_without_the_core_kinds_naming_them_and_the_install() {
    assertThat(GatewayInformers.choose(Mode.REQUIRED, CORE_ONLY)).isEqualTo(CORE_ONLY);
    assertThatThrownBy(
            () ->
                GatewayInformers.choose(
                    Mode.REQUIRED, EnumSet.of(GatewayKind.GATEWAY_CLASS, GatewayKind.GATEWAY)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("HTTPRoute")
        .hasMessageContaining("standard-install.yaml")
        .hasMessageContaining("kubernetes.gatewayApi");
  }

  @Test
  void false_watches_nothing_whatever_is_served() {
    assertThat(GatewayInformers.choose(Mode.OFF, ALL)).isEmpty();
  }

  @Test
  void the_mode_reads_auto_true_false_in_any_case_and_refuses_the_rest() {
    assertThat(Mode.parse("auto")).isEqualTo(Mode.AUTO);
    assertThat(Mode.parse(" TRUE ")).isEqualTo(Mode.REQUIRED);
    assertThat(Mode.parse("False")).isEqualTo(Mode.OFF);
    assertThatThrownBy(() -> Mode.parse("yes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("gatewayApi: \"yes\" (expected: auto, true or false)");
  }
}
