package io.gatehouse.table.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.model.BackendRef;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.EntryKind;
import io.gatehouse.table.FormatGate;
import io.gatehouse.table.MemberInfo;
import io.gatehouse.table.Outcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Entry format 5 (issue #17): a backend that answers a fixed status and a Service port of another
 * namespace. A format 4 reader would fail on the one and read the route's own namespace for the
 * other, so only routes that have one are written in format 5, and only once every member reads it.
 */
class UnresolvedBackendCodecTest {
  private final EntryCodec codec = new EntryCodec();
  private final ObjectMapper json = new ObjectMapper();

  private static final BackendRef.ServicePort WEB =
      new BackendRef.ServicePort("web", 80, null, UpstreamProtocol.HTTP1, null);
  private static final BackendRef.Unresolved NOT_PERMITTED =
      new BackendRef.Unresolved(500, "RefNotPermitted: Service team-b/web");

  private static MemberInfo member(String id, int reads) {
    return new MemberInfo(id, id + ":5701", false, 1, 0, "v", reads);
  }

  private static RouteSpec withBackends(RouteBackend... backends) {
    return EntryCodecTest.oneStaticBackend().withBackends(List.of(backends));
  }

  @Test
  void an_unresolved_backend_is_format_5_and_round_trips() throws Exception {
    RouteSpec r = withBackends(new RouteBackend(WEB, 3), new RouteBackend(NOT_PERMITTED, 1));
    assertThat(codec.formatOf(r)).isEqualTo(5);
    String payload = codec.encode(r);
    JsonNode ref = json.readTree(payload).get("value").get("backends").get(1).get("ref");
    assertThat(ref.get("kind").asText()).isEqualTo("unresolved");
    assertThat(ref.get("status").asInt()).isEqualTo(500);
    assertThat(codec.decode(EntryKind.ROUTE, payload)).isEqualTo(r);
  }

  @Test
  void a_service_of_another_namespace_is_format_5_and_round_trips() throws Exception {
    for (RouteSpec r :
        List.of(
            withBackends(RouteBackend.of(WEB.withNamespace("team-b"))),
            withBackends(RouteBackend.of(WEB))
                .withPolicies(List.of(RequestMirror.of(WEB.withNamespace("team-b")))))) {
      assertThat(codec.formatOf(r)).isEqualTo(5);
      String payload = codec.encode(r);
      assertThat(payload).contains("\"namespace\":\"team-b\"");
      assertThat(codec.decode(EntryKind.ROUTE, payload)).isEqualTo(r);
    }
  }

  @Test
  void a_format_4_reader_refuses_both_rather_than_misread_them() {
    for (RouteSpec r :
        List.of(
            withBackends(RouteBackend.of(NOT_PERMITTED)),
            withBackends(RouteBackend.of(WEB.withNamespace("team-b"))))) {
      String payload = codec.encode(r);
      assertThatThrownBy(() -> new EntryCodec(4).decode(EntryKind.ROUTE, payload))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("payload format 5 is not readable by this release (reads 1..4)");
    }
  }

  @Test
  void a_service_of_the_routes_own_namespace_keeps_its_format_and_its_bytes() {
    RouteSpec own = withBackends(RouteBackend.of(WEB));
    assertThat(codec.formatOf(own)).isEqualTo(2);
    String payload = codec.encode(own);
    assertThat(payload).doesNotContain("namespace").doesNotContain("unresolved");
    assertThat(new EntryCodec(4).decode(EntryKind.ROUTE, payload)).isEqualTo(own);
  }

  @Test
  void the_gate_holds_a_format_5_route_back_while_a_member_reads_format_4_only() {
    RouteSpec r = withBackends(RouteBackend.of(NOT_PERMITTED));
    EntryKey key = EntryKey.route(r.key());
    List<MemberInfo> mixed = List.of(member("new", FormatGate.READS), member("old", 4));
    Outcome.NotUpgraded held = FormatGate.check(mixed, Map.of(key, codec.formatOf(r)));
    assertThat(held).isNotNull();
    assertThat(held.format()).isEqualTo(5);
    assertThat(held.keys()).containsExactly(key);
    assertThat(held.members()).extracting(MemberInfo::id).containsExactly("old");
    // a route without the new shapes is written meanwhile
    RouteSpec plain = withBackends(RouteBackend.of(WEB));
    assertThat(FormatGate.check(mixed, Map.of(key, codec.formatOf(plain)))).isNull();
    // and once every member reads format 5, so is this one
    assertThat(
            FormatGate.check(
                List.of(member("new", 5), member("upgraded", 5)), Map.of(key, codec.formatOf(r))))
        .isNull();
  }
}
