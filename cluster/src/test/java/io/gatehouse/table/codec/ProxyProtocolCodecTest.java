package io.gatehouse.table.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.BackendKey;
import io.gatehouse.model.BackendObject;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.ProxyProtocolVersion;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.table.EntryKind;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A backend that sends the PROXY protocol header is format 7, in a route or as a named backend: a
 * format 6 reader would connect without the header. Every other payload keeps its format and its
 * bytes.
 */
@Timeout(10)
class ProxyProtocolCodecTest {
  private final EntryCodec codec = new EntryCodec();

  private static final BackendSpec PLAIN = BackendSpec.http1(List.of(Endpoint.of("10.0.0.1", 80)));

  private static RouteSpec withBackend(BackendSpec b) {
    return EntryCodecTest.oneStaticBackend().withBackends(List.of(RouteBackend.of(b)));
  }

  @Test
  void a_route_whose_backend_sends_it_is_format_7_and_round_trips() {
    for (ProxyProtocolVersion v : ProxyProtocolVersion.values()) {
      RouteSpec r = withBackend(PLAIN.withProxyProtocol(v));
      assertThat(codec.formatOf(r)).isEqualTo(7);
      String payload = codec.encode(r);
      assertThat(payload).contains("\"proxyProtocol\":\"" + v.name() + "\"");
      assertThat(codec.decode(EntryKind.ROUTE, payload)).isEqualTo(r);
      assertThatThrownBy(() -> new EntryCodec(6).decode(EntryKind.ROUTE, payload))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("payload format 7 is not readable by this release (reads 1..6)");
    }
  }

  @Test
  void a_mirror_that_sends_it_makes_the_route_format_7() {
    RouteSpec r =
        EntryCodecTest.oneStaticBackend()
            .withPolicies(
                List.of(RequestMirror.of(PLAIN.withProxyProtocol(ProxyProtocolVersion.V1))));
    assertThat(codec.formatOf(r)).isEqualTo(7);
    assertThat(codec.decode(EntryKind.ROUTE, codec.encode(r))).isEqualTo(r);
  }

  @Test
  void a_named_backend_that_sends_it_is_format_7_and_one_that_does_not_stays_format_2() {
    BackendKey key = new BackendKey(TenantId.of("acme"), "pool");
    BackendObject sends =
        new BackendObject(key, "api", PLAIN.withProxyProtocol(ProxyProtocolVersion.V2));
    assertThat(codec.formatOf(sends)).isEqualTo(7);
    String payload = codec.encode(sends);
    assertThat(codec.decode(EntryKind.BACKEND, payload)).isEqualTo(sends);
    assertThatThrownBy(() -> new EntryCodec(6).decode(EntryKind.BACKEND, payload))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payload format 7");

    BackendObject plain = new BackendObject(key, "api", PLAIN);
    assertThat(codec.formatOf(plain)).isEqualTo(2);
    assertThat(codec.encode(plain)).doesNotContain("proxyProtocol");
    assertThat(new EntryCodec(6).decode(EntryKind.BACKEND, codec.encode(plain))).isEqualTo(plain);
  }

  @Test
  void a_route_without_it_keeps_its_format_and_its_bytes() {
    RouteSpec plain = EntryCodecTest.oneStaticBackend();
    assertThat(codec.formatOf(plain)).isEqualTo(1);
    String payload = codec.encode(plain);
    assertThat(payload).doesNotContain("proxyProtocol");
    // the bytes a release before the field wrote, read back the same by this one and by it
    assertThat(codec.encode(withBackend(PLAIN.withProxyProtocol(null))))
        .isEqualTo(codec.encode(withBackend(PLAIN)));
    assertThat(new EntryCodec(6).decode(EntryKind.ROUTE, payload)).isEqualTo(plain);
    assertThat(((BackendSpec) plain.backends().get(0).ref()).proxyProtocol()).isNull();
  }
}
