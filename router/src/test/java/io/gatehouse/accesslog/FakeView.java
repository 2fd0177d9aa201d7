package io.gatehouse.accesslog;

import io.gatehouse.testing.FakeExchangeView;

/** A finished exchange with settable values, for the access log's unit tests. */
final class FakeView extends FakeExchangeView {
  FakeView() {
    host = "shop.test";
    status = 200;
    upstreamStatus = 200;
    bytesOut = 2;
    routeId = "default/cli/shop";
    tenant = "default";
    endpoint = "127.0.0.1:8080";
    client = "127.0.0.1";
    attempts = 1;
  }
}
