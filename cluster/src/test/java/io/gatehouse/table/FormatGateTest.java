package io.gatehouse.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.RouteKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gate decision over what members read and what entries need. */
class FormatGateTest {
  private static final EntryKey A = EntryKey.route(RouteKey.of("t", "api", "a"));
  private static final EntryKey B = EntryKey.route(RouteKey.of("t", "api", "b"));

  private static MemberInfo member(String id, int reads) {
    return new MemberInfo(id, id + ":5701", false, 1, 0, "v", reads);
  }

  @Test
  void every_member_reading_the_format_lets_the_write_through() {
    List<MemberInfo> members = List.of(member("a", 2), member("b", 2));
    assertThat(FormatGate.check(members, Map.of(A, 2, B, 1))).isNull();
  }

  @Test
  void one_member_reading_format_1_refuses_a_format_2_entry_and_names_that_member() {
    MemberInfo old = member("old", 1);
    List<MemberInfo> members = List.of(member("new", 2), old);

    Outcome.NotUpgraded refused = FormatGate.check(members, Map.of(A, 2, B, 1));

    assertThat(refused).isNotNull();
    assertThat(refused.format()).isEqualTo(2);
    assertThat(refused.keys()).containsExactly(A);
    assertThat(refused.members()).containsExactly(old);
  }

  @Test
  void format_1_entries_are_written_whatever_the_members_read() {
    List<MemberInfo> members = List.of(member("old", FormatGate.UNADVERTISED), member("new", 2));
    assertThat(FormatGate.check(members, Map.of(A, 1, B, 1))).isNull();
  }

  @Test
  void a_format_newer_than_any_member_reads_is_refused_for_every_member_below_it() {
    List<MemberInfo> members = List.of(member("a", 1), member("b", 2), member("c", 3));

    Outcome.NotUpgraded refused = FormatGate.check(members, Map.of(A, 2, B, 3));

    assertThat(refused.format()).isEqualTo(3);
    assertThat(refused.keys()).containsExactly(A, B);
    assertThat(refused.members()).extracting(MemberInfo::id).containsExactly("a", "b");
  }

  @Test
  void nothing_to_write_is_never_refused() {
    assertThat(FormatGate.check(List.of(member("old", 1)), Map.of())).isNull();
  }

  @Test
  void the_format_read_by_all_is_the_lowest_advertised() {
    assertThat(FormatGate.readByAll(List.of(member("a", 2), member("b", 1)))).isEqualTo(1);
    assertThat(FormatGate.readByAll(List.of(member("a", 2)))).isEqualTo(2);
    assertThat(FormatGate.cannotRead(List.of(member("a", 2), member("b", 1)), 2))
        .extracting(MemberInfo::id)
        .containsExactly("b");
  }
}
