package io.gatehouse.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The composite the node hands the proxy: every observer hears every callback, in order. */
class ExchangeObserverTest {
  /** Records "name:callback" for each call. */
  record Recorder(String name, List<String> calls) implements ExchangeObserver {
    @Override
    public void started(ExchangeView exchange) {
      calls.add(name + ":started");
    }

    @Override
    public void attemptSending(ExchangeView exchange, MultiMap upstreamHeaders) {
      calls.add(name + ":sending");
    }

    @Override
    public void attemptEnded(
        ExchangeView exchange, AttemptOutcome outcome, int status, long startNanos, boolean retry) {
      calls.add(name + ":attempt " + outcome + " " + status + " " + startNanos + " " + retry);
    }

    @Override
    public void ended(ExchangeView exchange) {
      calls.add(name + ":ended");
    }

    @Override
    public void connectionOpened(boolean tls) {
      calls.add(name + ":opened " + tls);
    }

    @Override
    public void connectionClosed(boolean tls) {
      calls.add(name + ":closed " + tls);
    }

    @Override
    public void tlsHandshake(String version, int resumed) {
      calls.add(name + ":handshake " + version + " " + resumed);
    }
  }

  @Test
  void none_and_one_observer_are_passed_through() {
    List<String> calls = new ArrayList<>();
    Recorder a = new Recorder("a", calls);
    assertThat(ExchangeObserver.of(List.of())).isSameAs(ExchangeObserver.NONE);
    assertThat(ExchangeObserver.of(List.of(ExchangeObserver.NONE, a, ExchangeObserver.NONE)))
        .isSameAs(a);
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4})
  void every_observer_hears_every_callback_in_order(int n) {
    List<String> calls = new ArrayList<>();
    List<ExchangeObserver> observers = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      observers.add(new Recorder("o" + i, calls));
      observers.add(ExchangeObserver.NONE); // dropped
      names.add("o" + i);
    }
    ExchangeObserver all = ExchangeObserver.of(observers);
    ExchangeView view = null;
    all.started(view);
    all.attemptSending(view, MultiMap.caseInsensitiveMultiMap());
    all.attemptEnded(view, AttemptOutcome.RESET, 0, 42, true);
    all.ended(view);
    all.connectionOpened(true);
    all.connectionClosed(false);
    all.tlsHandshake("TLSv1.3", 1);
    List<String> want = new ArrayList<>();
    for (String call :
        List.of(
            "started",
            "sending",
            "attempt RESET 0 42 true",
            "ended",
            "opened true",
            "closed false",
            "handshake TLSv1.3 1")) {
      for (String name : names) {
        want.add(name + ":" + call);
      }
    }
    assertThat(calls).containsExactlyElementsOf(want);
  }
}
