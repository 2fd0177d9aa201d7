package io.gatehouse.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.gatehouse.model.Endpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random sequences of put, remove, retain and release against a model of plain maps: contents,
 * revision 0 for unknown keys, change reports, slot stability and lowest-first slot reuse.
 */
@Timeout(120)
class EndpointIndexModelTest {
  private static final int KEYS = 5;
  private static final List<List<Endpoint>> LISTS =
      List.of(
          List.of(),
          List.of(Endpoint.of("a", 1)),
          List.of(Endpoint.of("b", 1), Endpoint.of("a", 1)),
          List.of(Endpoint.of("a", 1), Endpoint.of("b", 1)), // equal to the one before
          List.of(new Endpoint("a", 1, 0)));

  /** The index as plain maps; slots follow the rules of {@link EndpointIndex}'s class comment. */
  private static final class Model {
    final Map<EndpointsKey, List<Endpoint>> known = new HashMap<>();
    final Set<EndpointsKey> removed = new HashSet<>();
    final Map<EndpointsKey, Integer> refs = new HashMap<>();
    final Map<EndpointsKey, Integer> slots = new HashMap<>();

    int refs(EndpointsKey k) {
      return refs.getOrDefault(k, 0);
    }

    boolean held(EndpointsKey k) {
      return known.containsKey(k) || refs(k) > 0;
    }

    void forget(EndpointsKey k) {
      known.remove(k);
      removed.remove(k);
      slots.remove(k);
    }

    int lowestFreeSlot() {
      int s = 0;
      while (slots.containsValue(s)) {
        s++;
      }
      return s;
    }
  }

  @Test
  void the_index_behaves_like_its_model() {
    qt().withFixedSeed(20261205L)
        .withExamples(2000)
        .forAll(lists().of(integers().between(0, 4 * KEYS * LISTS.size() - 1)).ofSizeBetween(1, 60))
        .checkAssert(EndpointIndexModelTest::run);
  }

  private static void run(List<Integer> ops) {
    List<EndpointsKey> keys = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      keys.add(new EndpointsKey.Service("ns", "s" + i, 80, null));
    }
    EndpointIndex index = new EndpointIndex();
    Model model = new Model();
    for (int op : ops) {
      EndpointsKey k = keys.get(op / 4 % KEYS);
      List<Endpoint> list = LISTS.get(op / (4 * KEYS));
      switch (op % 4) {
        case 0 -> {
          List<Endpoint> sorted = EndpointSet.sorted(list);
          boolean changed = !sorted.equals(model.known.get(k));
          assertThat(index.put(k, list)).as("put %s %s", k, list).isEqualTo(changed);
          model.known.put(k, sorted);
          model.removed.remove(k);
        }
        case 1 -> {
          boolean present = model.held(k) && !model.removed.contains(k);
          assertThat(index.remove(k)).as("remove %s", k).isEqualTo(present);
          if (present && model.refs(k) > 0) {
            model.known.put(k, List.of());
            model.removed.add(k);
          } else if (present) {
            model.forget(k);
          }
        }
        case 2 -> {
          Integer expected = model.slots.get(k);
          int slot = index.retain(k);
          assertThat(slot)
              .as("retain %s", k)
              .isEqualTo(expected != null ? expected : model.lowestFreeSlot());
          model.slots.put(k, slot);
          model.refs.merge(k, 1, Integer::sum);
        }
        default -> {
          if (model.refs(k) == 0) {
            continue; // release only what is held
          }
          index.release(model.slots.get(k));
          int left = model.refs.merge(k, -1, Integer::sum);
          if (left == 0 && (model.removed.contains(k) || !model.known.containsKey(k))) {
            model.forget(k);
          }
        }
      }
      check(index, model, keys);
    }
  }

  private static void check(EndpointIndex index, Model model, List<EndpointsKey> keys) {
    int held = 0;
    for (EndpointsKey k : keys) {
      EndpointSet set = index.get(k);
      assertThat(set.endpoints()).as("%s", k).isEqualTo(model.known.getOrDefault(k, List.of()));
      assertThat(set.revision() == 0).as("%s unknown", k).isEqualTo(!model.known.containsKey(k));
      Integer slot = model.slots.get(k);
      if (slot != null) {
        assertThat(index.get(slot)).as("slot of %s", k).isSameAs(set);
      }
      held += model.held(k) ? 1 : 0;
    }
    assertThat(index.size()).isEqualTo(held);
  }
}
