package io.gatehouse.table.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.BackendRef;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.table.EntryKind;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A passthrough route is format 6: a format 5 reader would serve it as a terminated one. */
@Timeout(10)
class PassthroughCodecTest {
  private final EntryCodec codec = new EntryCodec();

  @Test
  void a_passthrough_route_is_format_6_and_round_trips() {
    RouteSpec r =
        EntryCodecTest.oneStaticBackend().withTls(TlsSpec.passthrough(List.of("a.example")));
    assertThat(codec.formatOf(r)).isEqualTo(6);
    String payload = codec.encode(r);
    assertThat(payload).contains("\"passthrough\":true");
    assertThat(codec.decode(EntryKind.ROUTE, payload)).isEqualTo(r);
    assertThatThrownBy(() -> new EntryCodec(5).decode(EntryKind.ROUTE, payload))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payload format 6 is not readable by this release (reads 1..5)");
  }

  @Test
  void a_passthrough_route_with_an_unresolved_backend_is_format_8() {
    RouteSpec r =
        EntryCodecTest.oneStaticBackend()
            .withBackends(
                List.of(
                    new RouteBackend(EntryCodecTest.oneStaticBackend().backend(), 3),
                    new RouteBackend(new BackendRef.Unresolved(500, "BackendNotFound: db"), 1)))
            .withTls(TlsSpec.passthrough(List.of()));
    assertThat(codec.formatOf(r)).isEqualTo(8);
    String payload = codec.encode(r);
    assertThat(codec.decode(EntryKind.ROUTE, payload)).isEqualTo(r);
    // a format 7 reader would send the unresolved share to the other backend: it cannot read it
    assertThatThrownBy(() -> new EntryCodec(7).decode(EntryKind.ROUTE, payload))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payload format 8 is not readable by this release (reads 1..7)");
    // the same backends on a terminated route stay format 5
    assertThat(codec.formatOf(r.withTls(TlsSpec.of(List.of(), "www")))).isEqualTo(5);
  }

  @Test
  void a_terminated_route_keeps_its_format_and_reads_as_not_passing_through() {
    RouteSpec r = EntryCodecTest.oneStaticBackend().withTls(TlsSpec.of(List.of(), "www"));
    assertThat(codec.formatOf(r)).isLessThan(6);
    String payload = codec.encode(r);
    RouteSpec back = (RouteSpec) new EntryCodec(5).decode(EntryKind.ROUTE, payload);
    assertThat(back).isEqualTo(r);
    assertThat(back.tls().passthrough()).isFalse();
  }
}
