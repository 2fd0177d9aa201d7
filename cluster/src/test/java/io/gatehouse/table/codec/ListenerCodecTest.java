package io.gatehouse.table.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.ListenerKey;
import io.gatehouse.model.ListenerProtocol;
import io.gatehouse.model.ListenerSpec;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.EntryKind;
import io.gatehouse.table.FormatGate;
import io.gatehouse.table.MemberInfo;
import io.gatehouse.table.Outcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Entry format 9 (issue #17, a listener per Gateway): a listener and a route served on one listener
 * alone. A format 8 reader would serve such a route on the node's own listeners, through every
 * Gateway; so only those payloads are written in format 9, and only once every member reads it.
 */
class ListenerCodecTest {
  private final EntryCodec codec = new EntryCodec();

  private static final ListenerKey KEY = ListenerKey.of("team-a", "k8s", "gateway/team-a/web/80");
  private static final ListenerSpec LISTENER =
      new ListenerSpec(KEY, "127.0.1.10", 80, ListenerProtocol.HTTP);

  private static MemberInfo member(String id, int reads) {
    return new MemberInfo(id, id + ":5701", false, 1, 0, "v", reads);
  }

  @Test
  void a_listener_is_format_9_and_round_trips() {
    for (ListenerSpec l :
        List.of(
            LISTENER,
            new ListenerSpec(KEY, "2001:db8::1", 8443, ListenerProtocol.HTTPS),
            new ListenerSpec(
                KEY,
                "127.0.1.10",
                443,
                ListenerProtocol.HTTPS,
                CertificateKey.of("certs", "k8s.gateway.certs.web")))) {
      assertThat(codec.formatOf(l)).isEqualTo(9);
      String payload = codec.encode(l);
      assertThat(payload).startsWith("{\"v\":9,");
      assertThat(codec.decode(EntryKind.LISTENER, payload)).isEqualTo(l);
    }
    assertThat(EntryKey.of(LISTENER)).isEqualTo(EntryKey.listener(KEY));
    assertThat(EntryKey.listener(KEY).encoded())
        .isEqualTo("LISTENER:team-a/k8s/gateway/team-a/web/80");
    assertThat(EntryKey.decode(EntryKey.listener(KEY).encoded())).isEqualTo(EntryKey.listener(KEY));
  }

  @Test
  void a_default_certificate_is_written_only_when_there_is_one() {
    assertThat(codec.encode(LISTENER)).doesNotContain("defaultCertificate");
    ListenerSpec https =
        new ListenerSpec(
            KEY,
            "127.0.1.10",
            443,
            ListenerProtocol.HTTPS,
            CertificateKey.of("certs", "k8s.gateway.certs.web"));
    assertThat(codec.encode(https))
        .contains("\"defaultCertificate\":{\"name\":\"k8s.gateway.certs.web\",\"tenant\":");
  }

  @Test
  void a_route_naming_a_listener_is_format_9_and_round_trips() {
    RouteSpec r = EntryCodecTest.oneStaticBackend().withListener(KEY);
    assertThat(codec.formatOf(r)).isEqualTo(9);
    String payload = codec.encode(r);
    assertThat(payload).contains("\"listener\":{\"name\":\"gateway/team-a/web/80\"");
    RouteSpec back = (RouteSpec) codec.decode(EntryKind.ROUTE, payload);
    assertThat(back).isEqualTo(r);
    assertThat(back.listener()).isEqualTo(KEY);
  }

  @Test
  void a_format_8_reader_refuses_both_rather_than_serve_the_route_on_every_gateway() {
    for (Object value : List.of(LISTENER, EntryCodecTest.oneStaticBackend().withListener(KEY))) {
      String payload = codec.encode(value);
      EntryKind kind = value instanceof ListenerSpec ? EntryKind.LISTENER : EntryKind.ROUTE;
      assertThatThrownBy(() -> new EntryCodec(8).decode(kind, payload))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("payload format 9 is not readable by this release (reads 1..8)");
    }
  }

  @Test
  void a_route_on_the_nodes_own_listeners_keeps_its_format_and_its_bytes() {
    RouteSpec own = EntryCodecTest.oneStaticBackend();
    assertThat(own.listener()).isNull();
    assertThat(codec.formatOf(own)).isEqualTo(1);
    String payload = codec.encode(own);
    assertThat(payload).doesNotContain("listener");
    assertThat(payload).isEqualTo(new EntryCodec(8).encode(own));
    assertThat(new EntryCodec(8).decode(EntryKind.ROUTE, payload)).isEqualTo(own);
  }

  @Test
  void the_gate_holds_listeners_and_their_routes_back_while_a_member_reads_format_8_only() {
    RouteSpec r = EntryCodecTest.oneStaticBackend().withListener(KEY);
    EntryKey listener = EntryKey.of(LISTENER);
    EntryKey route = EntryKey.route(r.key());
    List<MemberInfo> mixed = List.of(member("new", FormatGate.READS), member("old", 8));
    Outcome.NotUpgraded held =
        FormatGate.check(
            mixed, Map.of(listener, codec.formatOf(LISTENER), route, codec.formatOf(r)));
    assertThat(held).isNotNull();
    assertThat(held.format()).isEqualTo(9);
    assertThat(held.keys()).containsExactlyInAnyOrder(listener, route);
    assertThat(held.members()).extracting(MemberInfo::id).containsExactly("old");
    // the same route without its listener (phase 1) is written meanwhile
    assertThat(FormatGate.check(mixed, Map.of(route, codec.formatOf(r.withListener(null)))))
        .isNull();
    assertThat(
            FormatGate.check(
                List.of(member("a", 9), member("b", 9)),
                Map.of(listener, codec.formatOf(LISTENER), route, codec.formatOf(r))))
        .isNull();
  }
}
