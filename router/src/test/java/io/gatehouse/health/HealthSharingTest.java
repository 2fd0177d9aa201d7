package io.gatehouse.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.endpoint.EndpointsKey;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.UpstreamProtocol;
import io.gatehouse.model.backend.BackendPolicy;
import io.gatehouse.model.backend.OutlierDetection;
import io.gatehouse.snapshot.Target;
import io.gatehouse.table.InMemoryHealthTopic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HealthSharingTest {
  private static final EndpointsKey KEY = new EndpointsKey.Inline(RouteKey.of("t", "s", "r"), 0);
  private final FakeClock clock = new FakeClock();
  private final InMemoryHealthTopic.Hub hub = new InMemoryHealthTopic.Hub();

  private record Member(
      InMemoryHealthTopic topic,
      HealthRegistry registry,
      OutlierDetector detector,
      HealthSharing sharing) {}

  private Member member(String id, AtomicInteger changes) {
    InMemoryHealthTopic topic = hub.join(id);
    HealthRegistry registry = new HealthRegistry(clock, clock);
    return new Member(
        topic,
        registry,
        new OutlierDetector(registry),
        new HealthSharing(topic, registry, changes::incrementAndGet));
  }

  @Test
  void an_ejection_on_one_member_holds_on_the_others_and_ends_there_on_its_own() {
    AtomicInteger changes = new AtomicInteger();
    Member a = member("a", changes);
    Member b = member("b", changes);
    Member c = member("c", changes);
    EndpointSet set =
        new EndpointSet(KEY, List.of(Endpoint.of("10.0.0.1", 80), Endpoint.of("10.0.0.2", 80)), 1);
    Target t = new Target(KEY, 0, UpstreamProtocol.HTTP1, null, 1, BackendPolicy.DEFAULT);
    for (int i = 0; i < 5; i++) {
      a.detector().report(t, set, set.endpoints().get(0), 503);
    }
    for (Member m : List.of(a, b, c)) {
      assertThat(m.registry().available(set.endpoints().get(0))).isFalse();
      assertThat(m.registry().available(set.endpoints().get(1))).isTrue();
    }
    assertThat(b.registry().ejected().get(0).by()).isEqualTo("a");
    clock.advance(OutlierDetection.DEFAULT.baseEjectionTime());
    for (Member m : List.of(a, b, c)) {
      assertThat(m.registry().available(set.endpoints().get(0))).isTrue();
    }
  }

  @Test
  void a_verdict_of_the_probing_member_reaches_the_others() {
    AtomicInteger changes = new AtomicInteger();
    Member a = member("a", changes);
    Member b = member("b", changes);
    a.registry().verdict("10.0.0.5", 80, false, true, "");
    assertThat(b.registry().available(Endpoint.of("10.0.0.5", 80))).isFalse();
    a.registry().verdict("10.0.0.5", 80, true, true, "");
    assertThat(b.registry().available(Endpoint.of("10.0.0.5", 80))).isTrue();
  }

  @Test
  void exactly_one_member_probes_each_endpoint_and_a_leaving_members_endpoints_move() {
    AtomicInteger changes = new AtomicInteger();
    List<Member> members = new ArrayList<>();
    for (String id : List.of("a", "b", "c")) {
      members.add(member(id, changes));
    }
    List<String> endpoints = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      endpoints.add("10.3.0." + i + ":80");
    }
    for (String ep : endpoints) {
      assertThat(members.stream().filter(m -> m.sharing().owns(ep)).count()).isEqualTo(1);
    }
    int before = changes.get();
    members.get(1).topic().close();
    assertThat(changes.get()).as("the others heard it leave").isGreaterThan(before);
    List<Member> left = List.of(members.get(0), members.get(2));
    for (String ep : endpoints) {
      assertThat(left.stream().filter(m -> m.sharing().owns(ep)).count()).isEqualTo(1);
    }
  }

  @Test
  void a_single_member_owns_everything() {
    InMemoryHealthTopic alone = new InMemoryHealthTopic();
    HealthRegistry registry = new HealthRegistry(clock, clock);
    HealthSharing sharing = new HealthSharing(alone, registry, () -> {});
    assertThat(sharing.owns("10.0.0.1:80")).isTrue();
    registry.verdict("10.0.0.1", 80, false, true, ""); // published to nobody: no failure
    assertThat(registry.available(Endpoint.of("10.0.0.1", 80))).isFalse();
  }

  @Test
  void a_notice_that_already_expired_changes_nothing() {
    AtomicInteger changes = new AtomicInteger();
    Member b = member("b", changes);
    clock.skewWall(Duration.ZERO);
    b.registry().ejectShared("10.0.0.1", 80, clock.epochMillis(), 10_000, "x", "a");
    assertThat(b.registry().ejected()).isEmpty();
  }

  @Test
  void a_member_that_joins_later_hears_the_ejections_and_failing_checks_in_force() {
    AtomicInteger changes = new AtomicInteger();
    Member a = member("a", changes);
    EndpointSet set =
        new EndpointSet(KEY, List.of(Endpoint.of("10.0.0.1", 80), Endpoint.of("10.0.0.2", 80)), 1);
    Target t = new Target(KEY, 0, UpstreamProtocol.HTTP1, null, 1, BackendPolicy.DEFAULT);
    for (int i = 0; i < 5; i++) {
      a.detector().report(t, set, set.endpoints().get(0), 503);
    }
    a.registry().verdict("10.0.0.2", 80, false, true, "");
    clock.advance(Duration.ofSeconds(4));
    Member late = member("late", changes);
    assertThat(late.registry().available(set.endpoints().get(0))).isFalse();
    assertThat(late.registry().ejected().get(0).expiresEpochMillis())
        .isEqualTo(a.registry().ejected().get(0).expiresEpochMillis());
    boolean aOwns = a.sharing().owns("10.0.0.2:80");
    assertThat(late.registry().available(set.endpoints().get(1))).isEqualTo(!aOwns);
    clock.advance(Duration.ofSeconds(6));
    assertThat(late.registry().available(set.endpoints().get(0))).isTrue();
  }
}
