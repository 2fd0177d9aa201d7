package io.gatehouse.trace;

import io.gatehouse.testing.FakeExchangeView;

/** An exchange as the proxy shows it, with fields a test sets. */
final class FakeExchange extends FakeExchangeView {
  FakeExchange() {
    path = "/cart";
  }
}
