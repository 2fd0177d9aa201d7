package io.gatehouse.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which of a socket's Gateway listeners a name belongs to: the most specific hostname match. */
class ListenerHostnamesTest {
  private final ListenerHostnames names =
      new ListenerHostnames(
          List.of("", "second-example.org", "*.wildcard.org", "fourth-example.wildcard.org"));

  @Test
  void exact_then_longest_wildcard_then_the_listener_without_hostname() {
    assertThat(names.listenerOf("example.org")).isZero();
    assertThat(names.listenerOf("unknown-example.org")).isZero();
    assertThat(names.listenerOf("second-example.org")).isEqualTo(1);
    assertThat(names.listenerOf("third-example.wildcard.org")).isEqualTo(2);
    assertThat(names.listenerOf("a.b.wildcard.org")).isEqualTo(2);
    assertThat(names.listenerOf("fourth-example.wildcard.org")).isEqualTo(3);
    // the wildcard covers labels before its suffix, never the suffix itself
    assertThat(names.listenerOf("wildcard.org")).isZero();
    assertThat(names.isEmpty()).isFalse();
  }

  @Test
  void without_a_listener_without_hostname_an_unmatched_name_is_no_listeners() {
    ListenerHostnames named =
        new ListenerHostnames(List.of("*.example.com", "*.a.example.com", "b.example.com"));
    assertThat(named.listenerOf("x.a.example.com")).isEqualTo(1);
    assertThat(named.listenerOf("x.example.com")).isZero();
    assertThat(named.listenerOf("b.example.com")).isEqualTo(2);
    assertThat(named.listenerOf("example.org")).isEqualTo(-1);
    assertThat(ListenerHostnames.NONE.isEmpty()).isTrue();
    assertThat(ListenerHostnames.NONE.listenerOf("example.org")).isEqualTo(-1);
  }
}
