package io.gatehouse.table.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.BackendRef;
import io.gatehouse.model.RouteBackend;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.policy.PathModifier;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.ResponseHeaders;
import io.gatehouse.model.policy.URLRewrite;
import io.gatehouse.table.EntryKey;
import io.gatehouse.table.EntryKind;
import io.gatehouse.table.FormatGate;
import io.gatehouse.table.MemberInfo;
import io.gatehouse.table.Outcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Entry format 11 (issue #17): a route with a backend that has filters of its own (Gateway API
 * filters on a backendRef). A format 10 reader would drop them and send that backend's requests
 * unedited; so only those routes are written in format 11, and only once every member reads it.
 */
class BackendFiltersCodecTest {
  private final EntryCodec codec = new EntryCodec();

  private static final List<PolicySpec> FILTERS =
      List.of(
          new RequestHeaders(Map.of("backend", "v1"), Map.of(), List.of("x-debug")),
          new ResponseHeaders(Map.of(), Map.of("x-served-by", "v1"), List.of()),
          URLRewrite.of("internal.example", PathModifier.prefixMatch("/v1")));

  private static RouteSpec withFilters() {
    RouteSpec r = EntryCodecTest.oneStaticBackend();
    RouteSpec k8s =
        new RouteSpec(
            RouteKey.of("team-a", "k8s", "split"),
            r.hosts(),
            r.paths(),
            r.methods(),
            r.headers(),
            r.queries(),
            r.staticBackend(),
            null,
            null,
            0);
    return k8s.withBackends(
        List.of(
            new RouteBackend(
                new BackendRef.ServicePort("v1", 80, null, UpstreamProtocol.HTTP1, null),
                3,
                null,
                FILTERS),
            new RouteBackend(
                new BackendRef.ServicePort("v2", 80, null, UpstreamProtocol.HTTP1, null), 1)));
  }

  private static MemberInfo member(String id, int reads) {
    return new MemberInfo(id, id + ":5701", false, 1, 0, "v", reads);
  }

  @Test
  void a_route_with_backend_filters_is_format_11_and_round_trips() {
    RouteSpec r = withFilters();
    assertThat(codec.formatOf(r)).isEqualTo(11).isLessThan(FormatGate.READS);
    String payload = codec.encode(r);
    assertThat(payload).startsWith("{\"v\":11,").contains("\"filters\":[");
    RouteSpec back = (RouteSpec) codec.decode(EntryKind.ROUTE, payload);
    assertThat(back).isEqualTo(r);
    assertThat(back.backends().get(0).filters()).isEqualTo(FILTERS);
    assertThat(back.backends().get(1).filters()).isEmpty();
  }

  @Test
  void a_format_10_reader_refuses_it_rather_than_drop_the_filters() {
    String payload = codec.encode(withFilters());
    assertThatThrownBy(() -> new EntryCodec(10).decode(EntryKind.ROUTE, payload))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payload format 11 is not readable by this release (reads 1..10)");
  }

  @Test
  void a_route_without_them_keeps_its_format_and_its_bytes() {
    RouteSpec r =
        withFilters()
            .withBackends(
                List.of(
                    new RouteBackend(
                        new BackendRef.ServicePort("v1", 80, null, UpstreamProtocol.HTTP1, null),
                        3),
                    new RouteBackend(
                        new BackendRef.ServicePort("v2", 80, null, UpstreamProtocol.HTTP1, null),
                        1)));
    assertThat(codec.formatOf(r)).isLessThan(11);
    String payload = codec.encode(r);
    assertThat(payload).doesNotContain("filters");
    assertThat(payload).isEqualTo(new EntryCodec(10).encode(r));
  }

  @Test
  void the_gate_holds_it_back_while_a_member_reads_format_10_only() {
    RouteSpec r = withFilters();
    EntryKey route = EntryKey.route(r.key());
    List<MemberInfo> mixed = List.of(member("new", FormatGate.READS), member("old", 10));
    Outcome.NotUpgraded held = FormatGate.check(mixed, Map.of(route, codec.formatOf(r)));
    assertThat(held).isNotNull();
    assertThat(held.format()).isEqualTo(11);
    assertThat(held.members()).extracting(MemberInfo::id).containsExactly("old");
  }
}
