package io.gatehouse.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class EndpointPolicyTest {
  private static final EndpointPolicy ADMIN = EndpointPolicy.withDefaults(List.of());
  private static final EndpointPolicy NODE_ITSELF =
      EndpointPolicy.withDefaults(List.of()).denyingLoopback().denyingUnspecified();

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(
      strings = {
        "169.254.169.254",
        "169.254.0.1",
        "fe80::1",
        "FE80::abcd",
        "fd00:ec2::254",
        "::ffff:169.254.169.254",
        "[fe80::1]",
        "metadata.google.internal",
        "METADATA.google.internal.",
        "metadata.goog",
        "metadata"
      })
  void defaults_refuse_link_local_and_metadata(String host) {
    assertThat(ADMIN.refusal(host)).isNotNull();
    assertThat(NODE_ITSELF.refusal(host)).isNotNull();
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(
      strings = {
        "api.partner.example",
        "10.0.0.1",
        "192.168.1.1",
        "2001:db8::1",
        "fd00::1",
        "metadata.google.internal.evil.example",
        "localhost.example.com",
        "mylocalhost",
        "256.1.1.1",
        "1.2.3.4.5"
      })
  void ordinary_upstreams_pass(String host) {
    assertThat(ADMIN.refusal(host)).isNull();
    assertThat(NODE_ITSELF.refusal(host)).isNull();
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(
      strings = {
        "127.0.0.1",
        "127.255.255.254",
        "::1",
        "0:0:0:0:0:0:0:1",
        "::ffff:127.0.0.1",
        "localhost",
        "LOCALHOST.",
        "admin.localhost",
        "localhost.localdomain",
        "ip6-localhost",
        "0.0.0.0",
        "0.1.2.3",
        "::"
      })
  void the_node_itself_is_refused_only_when_asked(String host) {
    assertThat(ADMIN.refusal(host)).as("admin defaults keep loopback").isNull();
    assertThat(NODE_ITSELF.refusal(host)).isNotNull();
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(
      strings = {
        "2130706433", // one 32-bit number
        "127.1", // last part fills three bytes
        "127.0.1",
        "0x7f000001",
        "0x7f.1",
        "0177.0.0.1", // octal for C inet_aton, 177.0.0.1 for Java: either reading counts
        "017700000001",
        "0"
      })
  void numeric_forms_are_read_as_every_resolver_would(String host) {
    assertThat(NODE_ITSELF.refusal(host)).isNotNull();
  }

  @Test
  void numeric_form_of_the_metadata_address_is_refused_by_the_defaults() {
    assertThat(ADMIN.refusal("2852039166"))
        .isEqualTo(
            "an address outside 169.254.0.0/16 (link-local; \"2852039166\" reads as"
                + " 169.254.169.254)");
    assertThat(ADMIN.refusal("169.254.43518")).startsWith("an address outside 169.254.0.0/16");
  }

  @Test
  void messages_name_the_rule_as_the_expected_value() {
    assertThat(NODE_ITSELF.refusal("127.0.0.1"))
        .isEqualTo("an address outside 127.0.0.0/8 (loopback)");
    assertThat(NODE_ITSELF.refusal("::1")).isEqualTo("an address outside ::1/128 (loopback)");
    assertThat(NODE_ITSELF.refusal("0.0.0.0"))
        .isEqualTo("an address outside 0.0.0.0/8 (unspecified)");
    assertThat(NODE_ITSELF.refusal("localhost"))
        .isEqualTo("not a loopback name such as localhost (the node itself)");
    assertThat(ADMIN.refusal("metadata.goog")).isEqualTo("not a cloud metadata service name");
  }

  @Test
  void operator_cidrs_are_added() {
    EndpointPolicy p = EndpointPolicy.withDefaults(List.of("10.96.0.0/12", " 2001:db8::/32 "));
    assertThat(p.refusal("10.96.0.1"))
        .isEqualTo("an address outside 10.96.0.0/12 (denied by the operator's upstream policy)");
    assertThat(p.refusal("10.111.255.255")).isNotNull();
    assertThat(p.refusal("10.112.0.0")).isNull();
    assertThat(p.refusal("2001:db8:1::1")).isNotNull();
    assertThat(p.refusal("169.254.169.254")).as("defaults kept").isNotNull();
    assertThat(p.denyingLoopback().refusal("10.96.0.1")).as("kept when widened").isNotNull();
  }

  @Test
  void prefixes_end_mid_byte() {
    assertThat(ADMIN.refusal("febf:ffff::1")).as("inside fe80::/10").isNotNull();
    assertThat(ADMIN.refusal("fec0::1")).as("just past fe80::/10").isNull();
    assertThat(ADMIN.refusal("169.253.255.255")).isNull();
    assertThat(ADMIN.refusal("169.255.0.0")).isNull();
  }

  @Test
  void a_single_address_is_a_host_cidr() {
    EndpointPolicy p = EndpointPolicy.withDefaults(List.of("192.0.2.7"));
    assertThat(p.refusal("192.0.2.7")).isNotNull();
    assertThat(p.refusal("192.0.2.8")).isNull();
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"10.0.0.0/8", "10.0.0.1", "0.0.0.0/0", "fd00::/8", "::1", "::/0"})
  void valid_cidrs_are_accepted(String text) {
    assertThat(EndpointPolicy.isCidr(text)).isTrue();
    assertThat(EndpointPolicy.withDefaults(List.of(text))).isNotNull();
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(
      strings = {
        "",
        "10.0.0.0/33",
        "fd00::/129",
        "300.0.0.0/8",
        "10.0.0.0/x",
        "10.0.0.0/",
        "10.1/16",
        "0x7f.1",
        "example.com",
        "10.0.0.0/-1"
      })
  void invalid_cidrs_are_refused(String text) {
    assertThat(EndpointPolicy.isCidr(text)).isFalse();
    assertThatThrownBy(() -> EndpointPolicy.withDefaults(List.of(text)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
