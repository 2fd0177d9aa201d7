package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The intrusive list of live exchanges and its sweep, with members that record their checks. */
@Timeout(10)
class LiveExchangesTest {
  private final LiveExchanges live = new LiveExchanges();
  private final List<String> checked = new ArrayList<>();

  /** Records each check; one that "finishes" at a check untracks itself (and others) as told. */
  private final class Fake extends LiveExchanges.Member {
    final String name;
    List<Fake> untrackOnCheck = List.of();

    Fake(String name) {
      this.name = name;
    }

    @Override
    void checkDeadlines(long now) {
      checked.add(name + "@" + now);
      for (Fake f : untrackOnCheck) {
        live.untrack(f);
      }
    }
  }

  @Test
  void an_empty_list_sweeps_nothing() {
    live.sweep(1);
    assertThat(checked).isEmpty();
  }

  @Test
  void the_sweep_visits_every_tracked_exchange_newest_first() {
    Fake a = track("a");
    track("b");
    track("c");
    live.sweep(7);
    assertThat(checked).containsExactly("c@7", "b@7", "a@7");
    assertThat(a.next).isNull();
  }

  @Test
  void untracking_the_head_middle_and_tail_keeps_the_rest_linked() {
    Fake a = track("a");
    Fake b = track("b");
    Fake c = track("c");
    Fake d = track("d");

    live.untrack(c);
    assertThat(c.prev).isNull();
    assertThat(c.next).isNull();
    sweepAndExpect("d", "b", "a");

    live.untrack(d);
    sweepAndExpect("b", "a");

    live.untrack(a);
    sweepAndExpect("b");

    live.untrack(b);
    sweepAndExpect();
    assertThat(b.prev).isNull();
    assertThat(b.next).isNull();
  }

  @Test
  void untracking_twice_or_an_untracked_exchange_changes_nothing() {
    Fake a = track("a");
    Fake b = track("b");
    live.untrack(a);
    live.untrack(a);
    live.untrack(new Fake("never tracked"));
    sweepAndExpect("b");
  }

  @Test
  void an_exchange_that_finishes_during_the_sweep_does_not_stop_it() {
    track("a");
    Fake b = track("b");
    track("c");
    b.untrackOnCheck = List.of(b);
    sweepAndExpect("c", "b", "a");
    sweepAndExpect("c", "a");
  }

  @Test
  void an_exchange_tracked_again_after_untracking_is_swept_once() {
    Fake a = track("a");
    track("b");
    live.untrack(a);
    live.track(a);
    sweepAndExpect("a", "b");
  }

  private Fake track(String name) {
    Fake f = new Fake(name);
    live.track(f);
    return f;
  }

  private void sweepAndExpect(String... names) {
    checked.clear();
    live.sweep(1);
    assertThat(checked.stream().map(s -> s.substring(0, s.indexOf('@'))).toList())
        .containsExactly(names);
  }
}
