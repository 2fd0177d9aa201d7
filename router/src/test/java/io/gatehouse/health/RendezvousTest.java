package io.gatehouse.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RendezvousTest {
  private static final List<String> THREE = List.of("m-a", "m-b", "m-c");

  @Test
  void every_member_order_names_the_same_owner() {
    for (int i = 0; i < 200; i++) {
      String ep = "10.1.0." + i + ":8080";
      assertThat(Rendezvous.owner(List.of("m-c", "m-a", "m-b"), ep))
          .isEqualTo(Rendezvous.owner(THREE, ep));
    }
  }

  @Test
  void endpoints_spread_over_the_members_roughly_evenly() {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      counts.merge(
          Rendezvous.owner(THREE, "10.1." + (i / 250) + "." + (i % 250) + ":80"), 1, Integer::sum);
    }
    assertThat(counts).hasSize(3);
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(850, 1150));
  }

  @Test
  void a_leaving_member_moves_only_its_own_endpoints() {
    List<String> two = List.of("m-a", "m-c");
    int moved = 0;
    for (int i = 0; i < 1000; i++) {
      String ep = "10.2.0." + i + ":80";
      String before = Rendezvous.owner(THREE, ep);
      String after = Rendezvous.owner(two, ep);
      if (!before.equals("m-b")) {
        assertThat(after).isEqualTo(before);
      } else {
        moved++;
        assertThat(after).isIn("m-a", "m-c");
      }
    }
    assertThat(moved).isBetween(250, 420);
  }
}
