package io.gatehouse.table.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.ListenerKey;
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
 * Entry format 10 (issue #17): a route whose wildcard hosts cover any number of labels, as Gateway
 * API hostnames do. A format 9 reader would match them one label deep; so only those routes are
 * written in format 10, and only once every member reads it.
 */
class AnyDepthWildcardCodecTest {
  private final EntryCodec codec = new EntryCodec();

  private static final ListenerKey KEY = ListenerKey.of("team-a", "k8s", "gateway/team-a/web/80");

  private static RouteSpec anyDepth() {
    return EntryCodecTest.oneStaticBackend()
        .withHosts(List.of("*.example.com"))
        .withListener(KEY)
        .withWildcardsAnyDepth(true);
  }

  private static MemberInfo member(String id, int reads) {
    return new MemberInfo(id, id + ":5701", false, 1, 0, "v", reads);
  }

  @Test
  void a_route_with_wildcards_of_any_depth_is_format_10_and_round_trips() {
    RouteSpec r = anyDepth();
    assertThat(codec.formatOf(r)).isEqualTo(10);
    String payload = codec.encode(r);
    assertThat(payload).startsWith("{\"v\":10,").contains("\"wildcardsAnyDepth\":true");
    RouteSpec back = (RouteSpec) codec.decode(EntryKind.ROUTE, payload);
    assertThat(back).isEqualTo(r);
    assertThat(back.wildcardsAnyDepth()).isTrue();
    // every with* keeps it
    assertThat(back.withHosts(List.of("*.other.example")).wildcardsAnyDepth()).isTrue();
    assertThat(back.withListener(null).wildcardsAnyDepth()).isTrue();
  }

  @Test
  void a_format_9_reader_refuses_it_rather_than_match_one_label() {
    String payload = codec.encode(anyDepth());
    assertThatThrownBy(() -> new EntryCodec(9).decode(EntryKind.ROUTE, payload))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payload format 10 is not readable by this release (reads 1..9)");
  }

  @Test
  void a_route_without_it_keeps_its_format_and_its_bytes() {
    RouteSpec r = anyDepth().withWildcardsAnyDepth(false);
    assertThat(codec.formatOf(r)).isEqualTo(9);
    String payload = codec.encode(r);
    assertThat(payload).doesNotContain("wildcardsAnyDepth");
    assertThat(payload).isEqualTo(new EntryCodec(9).encode(r));
  }

  @Test
  void the_gate_holds_it_back_while_a_member_reads_format_9_only() {
    RouteSpec r = anyDepth();
    EntryKey route = EntryKey.route(r.key());
    List<MemberInfo> mixed = List.of(member("new", FormatGate.READS), member("old", 9));
    Outcome.NotUpgraded held = FormatGate.check(mixed, Map.of(route, codec.formatOf(r)));
    assertThat(held).isNotNull();
    assertThat(held.format()).isEqualTo(10);
    assertThat(held.members()).extracting(MemberInfo::id).containsExactly("old");
    assertThat(
            FormatGate.check(
                List.of(member("a", 10), member("b", 10)), Map.of(route, codec.formatOf(r))))
        .isNull();
  }
}
