package io.gatehouse.k8s.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.k8s.translate.ListedClusterState;
import io.gatehouse.k8s.translate.Translation;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TranslationSinkTest {
  private static final ListedClusterState EMPTY =
      new ListedClusterState(List.of(), List.of(), List.of(), List.of(), List.of());

  @Test
  void only_while_wants_and_publishes_only_while_active() throws Exception {
    AtomicBoolean leading = new AtomicBoolean();
    AtomicInteger published = new AtomicInteger();
    TranslationSink sink =
        TranslationSink.onlyWhile(leading::get, (t, s) -> published.incrementAndGet());
    assertThat(sink.wanted()).isFalse();
    sink.publish(Translation.EMPTY, EMPTY);
    assertThat(published).hasValue(0);
    leading.set(true);
    assertThat(sink.wanted()).isTrue();
    sink.publish(Translation.EMPTY, EMPTY);
    assertThat(published).hasValue(1);
  }

  @Test
  void only_while_also_asks_the_sink_it_wraps() {
    TranslationSink never =
        new TranslationSink() {
          @Override
          public void publish(Translation t, ListedClusterState s) {}

          @Override
          public boolean wanted() {
            return false;
          }
        };
    assertThat(TranslationSink.onlyWhile(() -> true, never).wanted()).isFalse();
  }
}
