package io.gatehouse.table.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
  void a_terminated_route_keeps_its_format_and_reads_as_not_passing_through() {
    RouteSpec r = EntryCodecTest.oneStaticBackend().withTls(TlsSpec.of(List.of(), "www"));
    assertThat(codec.formatOf(r)).isLessThan(6);
    String payload = codec.encode(r);
    RouteSpec back = (RouteSpec) new EntryCodec(5).decode(EntryKind.ROUTE, payload);
    assertThat(back).isEqualTo(r);
    assertThat(back.tls().passthrough()).isFalse();
  }
}
