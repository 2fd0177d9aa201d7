package io.gatehouse.table.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.table.EntryKind;
import io.gatehouse.testing.TestAccess;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The access-control kinds (issue #15) in entry format 3, and every other payload unchanged. */
class AccessCodecTest {
  private final EntryCodec codec = new EntryCodec();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void each_access_kind_round_trips_tagged_in_format_3() throws Exception {
    List<PolicySpec> all = new ArrayList<>(TestAccess.all());
    all.add(TestAccess.jwtUri());
    RouteSpec r = EntryCodecTest.oneStaticBackend().withPolicies(all);
    assertThat(codec.formatOf(r)).isEqualTo(3);
    JsonNode doc = json.readTree(codec.encode(r));
    assertThat(doc.get("v").asInt()).isEqualTo(3);
    List<String> types = new ArrayList<>();
    doc.get("value").get("policies").forEach(p -> types.add(p.get("type").asText()));
    assertThat(types)
        .containsExactly(
            "ipAccess",
            "basicAuth",
            "jwtAuth",
            "forwardAuth",
            "rateLimit",
            "connectionLimit",
            "jwtAuth");
    assertThat(codec.decode(EntryKind.ROUTE, codec.encode(r))).isEqualTo(r);
  }

  @Test
  void a_format_2_reader_refuses_an_access_route_rather_than_serve_it_open() {
    RouteSpec r = EntryCodecTest.oneStaticBackend().withPolicies(List.of(TestAccess.ipAccess()));
    String payload = codec.encode(r);
    assertThatThrownBy(() -> new EntryCodec(2).decode(EntryKind.ROUTE, payload))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("format 3");
  }

  @Test
  void client_auth_depth_and_pass_need_format_3_and_without_them_the_bytes_are_as_before()
      throws Exception {
    RouteSpec plain =
        EntryCodecTest.oneStaticBackend()
            .withTls(
                new TlsSpec(
                    List.of(),
                    "cert",
                    HttpsRedirect.DEFAULT,
                    Hsts.OFF,
                    ClientAuth.required("-----BEGIN CERTIFICATE-----")));
    assertThat(codec.formatOf(plain)).isLessThan(3);
    assertThat(codec.encode(plain)).doesNotContain("verifyDepth").doesNotContain("passCertificate");

    RouteSpec deep =
        plain.withTls(
            plain
                .tls()
                .withClientAuth(
                    new ClientAuth(
                        ClientAuth.Mode.REQUIRED, "-----BEGIN CERTIFICATE-----", 2, true)));
    assertThat(codec.formatOf(deep)).isEqualTo(3);
    JsonNode ca = json.readTree(codec.encode(deep)).get("value").get("tls").get("clientAuth");
    assertThat(ca.get("verifyDepth").asInt()).isEqualTo(2);
    assertThat(ca.get("passCertificate").asBoolean()).isTrue();
    assertThat(codec.decode(EntryKind.ROUTE, codec.encode(deep))).isEqualTo(deep);
  }
}
