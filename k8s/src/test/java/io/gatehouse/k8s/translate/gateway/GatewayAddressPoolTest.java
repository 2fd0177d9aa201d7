package io.gatehouse.k8s.translate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatewayAddressPoolTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "127.0.1.9, 127.0.1.9",
    "2001:DB8:0:0::1, 2001:db8::1",
    "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "2001:db8:1:1:1:1:0:1, 2001:db8:1:1:1:1:0:1",
    "::, ::",
    "::ffff:10.0.0.1, 10.0.0.1",
    "[::1], ::1"
  })
  void addresses_are_written_in_one_canonical_form(String literal, String canonical) {
    assertThat(GatewayAddressPool.canonical(literal)).isEqualTo(canonical);
  }

  @Test
  void names_and_malformed_literals_have_no_canonical_form() {
    assertThat(GatewayAddressPool.canonical("gw.example.com")).isNull();
    assertThat(GatewayAddressPool.canonical("127.0.1.09")).isNull();
    assertThat(GatewayAddressPool.canonical("256.0.0.1")).isNull();
  }

  @Test
  void members_are_the_addresses_of_each_cidr_first_and_last_included() {
    GatewayAddressPool pool = GatewayAddressPool.parse(List.of("127.0.1.0/30", "2001:db8::/127"));
    assertThat(pool.member("127.0.1.0")).isEqualTo("127.0.1.0");
    assertThat(pool.member("127.0.1.3")).isEqualTo("127.0.1.3");
    assertThat(pool.member("127.0.1.4")).isNull();
    assertThat(pool.member("127.0.0.255")).isNull();
    assertThat(pool.member("2001:DB8::1")).isEqualTo("2001:db8::1");
    assertThat(pool.member("2001:db8::2")).isNull();
    assertThat(pool.member("gw.example.com")).isNull();
    assertThat(pool.member(null)).isNull();
  }

  @Test
  void a_cidr_written_with_host_bits_holds_its_whole_network() {
    GatewayAddressPool pool =
        GatewayAddressPool.parse(List.of("10.1.2.3/24", "::ffff:10.9.0.0/120"));
    assertThat(pool.member("10.1.2.0")).isEqualTo("10.1.2.0");
    assertThat(pool.member("10.1.2.255")).isEqualTo("10.1.2.255");
    assertThat(pool.member("10.9.0.7")).isEqualTo("10.9.0.7");
    assertThat(pool.member("10.9.1.0")).isNull();
  }

  @Test
  void the_lowest_free_address_walks_the_entries_in_the_order_configured() {
    GatewayAddressPool pool =
        GatewayAddressPool.parse(List.of("192.0.2.7", "127.0.1.0/31", "2001:db8::/126"));
    assertThat(pool.lowestFree(Set.of())).isEqualTo("192.0.2.7");
    assertThat(pool.lowestFree(Set.of("192.0.2.7"))).isEqualTo("127.0.1.0");
    assertThat(pool.lowestFree(Set.of("192.0.2.7", "127.0.1.0"))).isEqualTo("127.0.1.1");
    assertThat(pool.lowestFree(Set.of("192.0.2.7", "127.0.1.0", "127.0.1.1")))
        .isEqualTo("2001:db8::");
    assertThat(
            pool.lowestFree(
                Set.of(
                    "192.0.2.7",
                    "127.0.1.0",
                    "127.0.1.1",
                    "2001:db8::",
                    "2001:db8::1",
                    "2001:db8::2",
                    "2001:db8::3")))
        .isNull();
  }

  @Test
  void a_huge_range_finds_its_free_address_without_walking_it() {
    GatewayAddressPool pool = GatewayAddressPool.parse(List.of("2001:db8::/32"));
    assertThat(pool.lowestFree(Set.of("2001:db8::", "2001:db8::1"))).isEqualTo("2001:db8::2");
  }

  @Test
  void the_unspecified_address_is_never_one_a_gateway_holds() {
    GatewayAddressPool pool = GatewayAddressPool.parse(List.of("0.0.0.0/31", "::/127"));
    assertThat(pool.member("0.0.0.0")).isNull();
    assertThat(pool.member("::")).isNull();
    assertThat(pool.lowestFree(Set.of())).isEqualTo("0.0.0.1");
    assertThat(pool.lowestFree(Set.of("0.0.0.1"))).isEqualTo("::1");
  }

  @Test
  void a_malformed_entry_is_refused_naming_it() {
    assertThatThrownBy(() -> GatewayAddressPool.parse(List.of("127.0.1.0/24", "127.0.1.0/33")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("127.0.1.0/33");
    assertThatThrownBy(() -> GatewayAddressPool.parse(List.of("gw.example.com")))
        .hasMessageContaining("gw.example.com");
  }

  @Test
  void no_entries_is_no_pool() {
    assertThat(GatewayAddressPool.parse(List.of())).isSameAs(GatewayAddressPool.NONE);
    assertThat(GatewayAddressPool.NONE.isEmpty()).isTrue();
    assertThat(GatewayAddressPool.NONE.lowestFree(Set.of())).isNull();
  }
}
