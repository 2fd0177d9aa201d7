package io.gatehouse.table.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.BackendRef;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.UpstreamTls;
import io.gatehouse.table.EntryKind;
import io.gatehouse.table.FormatGate;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Entry format 12 (issue #17): a Service port whose TLS names the subject alternative names to
 * verify (Gateway API BackendTLSPolicy). A format 11 reader would check the host name instead; so
 * only those routes are written in format 12.
 */
class SubjectAltNamesCodecTest {
  private final EntryCodec codec = new EntryCodec();

  private static RouteSpec withNames(List<String> names) {
    UpstreamTls tls =
        UpstreamTls.withCa("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n")
            .withServerName("backend.example.com")
            .withSubjectAltNames(names);
    return EntryCodecTest.oneStaticBackend()
        .withBackends(
            List.of(
                RouteBackend.of(
                    new BackendRef.ServicePort("secure", 443, null, UpstreamProtocol.HTTP1, tls))));
  }

  @Test
  void a_route_with_names_is_format_12_and_round_trips() {
    RouteSpec r = withNames(List.of("DNS:abc.example.com", "URI:spiffe://a/b"));
    assertThat(codec.formatOf(r)).isEqualTo(12).isLessThan(FormatGate.READS);
    String payload = codec.encode(r);
    assertThat(payload)
        .startsWith("{\"v\":12,")
        .contains("\"subjectAltNames\":[\"DNS:abc.example.com\",\"URI:spiffe://a/b\"]");
    assertThat(codec.decode(EntryKind.ROUTE, payload)).isEqualTo(r);
  }

  @Test
  void a_format_11_reader_refuses_it_rather_than_check_the_host_name() {
    String payload = codec.encode(withNames(List.of("DNS:abc.example.com")));
    assertThatThrownBy(() -> new EntryCodec(11).decode(EntryKind.ROUTE, payload))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payload format 12 is not readable by this release (reads 1..11)");
  }

  @Test
  void upstream_tls_without_names_keeps_its_format_and_its_bytes() {
    RouteSpec r = withNames(List.of());
    assertThat(codec.formatOf(r)).isLessThan(12);
    String payload = codec.encode(r);
    assertThat(payload).doesNotContain("subjectAltNames");
    assertThat(payload).isEqualTo(new EntryCodec(11).encode(r));
    RouteSpec back = (RouteSpec) codec.decode(EntryKind.ROUTE, payload);
    assertThat(back).isEqualTo(r);
  }
}
