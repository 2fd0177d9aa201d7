package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.Endpoint;
import io.gatehouse.upstream.Balancer;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The retry rules of {@link UpstreamAttempt}, without a network: which failures retry, for which
 * methods, once, and where the retry goes. The connect itself is covered by {@code ErrorsIT},
 * {@code H1BusyConnectionsIT} and {@code EndpointChangeIT}.
 */
@Timeout(10)
class UpstreamAttemptTest {
  private static final Endpoint A1 = new Endpoint("10.0.0.1", 80, 1);
  private static final Endpoint A2 = new Endpoint("10.0.0.2", 80, 1);

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
  void an_idempotent_method_retries_a_failed_connect_once(String method) {
    assertThat(UpstreamAttempt.retriesConnectFailure(false, true)).isTrue();
    assertThat(UpstreamAttempt.retriesConnectFailure(true, true)).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"POST", "PATCH", "CONNECT"})
  void a_method_that_is_not_idempotent_retries_only_a_failed_connect(String method) {
    HttpMethod m = HttpMethod.valueOf(method);
    // Nothing was sent on a failed connect; after a close the upstream may have acted on it.
    assertThat(UpstreamAttempt.retriesConnectFailure(false, true)).isTrue();
    assertThat(UpstreamAttempt.retriesAfterClose(false, closed(), true, m, false)).isFalse();
  }

  @Test
  void a_node_that_turned_connect_retries_off_answers_at_once() {
    assertThat(UpstreamAttempt.retriesConnectFailure(false, false)).isFalse();
  }

  @Test
  void a_closed_pooled_connection_retries_an_idempotent_request_without_a_body_once() {
    assertThat(UpstreamAttempt.retriesAfterClose(false, closed(), true, HttpMethod.GET, false))
        .isTrue();
    assertThat(UpstreamAttempt.retriesAfterClose(true, closed(), true, HttpMethod.GET, false))
        .isFalse();
  }

  @Test
  void a_request_with_a_body_is_not_retried_after_a_close() {
    assertThat(UpstreamAttempt.retriesAfterClose(false, closed(), true, HttpMethod.PUT, true))
        .isFalse();
  }

  @Test
  void a_fresh_connection_that_closes_is_not_retried() {
    // Only a reused keep-alive connection may have been closed by the upstream as we took it.
    assertThat(UpstreamAttempt.retriesAfterClose(false, closed(), false, HttpMethod.GET, false))
        .isFalse();
  }

  @Test
  void only_a_close_retries_not_a_reset_or_a_timeout() {
    for (Throwable other :
        List.of(
            new IOException("Connection reset by peer"),
            new TimeoutException("upstream response timeout"))) {
      assertThat(UpstreamAttempt.retriesAfterClose(false, other, true, HttpMethod.GET, false))
          .as(other.toString())
          .isFalse();
    }
  }

  @Test
  void a_retry_goes_to_another_endpoint_of_the_same_balancer() {
    // The attempt holds the picked backend's balancer, so a split's retry stays on that backend.
    Balancer picked = new Balancer(List.of(A1, A2), new Random(1));
    for (int i = 0; i < 10; i++) {
      Endpoint first = picked.next();
      Endpoint other = UpstreamAttempt.otherEndpoint(picked, first);
      assertThat(other).isIn(A1, A2).isNotEqualTo(first);
    }
  }

  @Test
  void a_backend_with_one_endpoint_has_nowhere_to_retry_a_failed_connect() {
    Balancer single = new Balancer(List.of(A1), new Random(3));
    assertThat(UpstreamAttempt.otherEndpoint(single, single.next())).isNull();
    assertThat(UpstreamAttempt.otherEndpoint(Balancer.EMPTY, A1)).isNull();
  }

  @Test
  void a_connect_timeout_answers_504_and_other_failures_502() {
    assertThat(UpstreamAttempt.isTimeout(new ConnectTimeoutException("slow"))).isTrue();
    assertThat(UpstreamAttempt.isTimeout(new IOException(new ConnectTimeoutException("slow"))))
        .isTrue();
    assertThat(UpstreamAttempt.isTimeout(new TimeoutException("idle"))).isTrue();
    assertThat(UpstreamAttempt.isTimeout(new ConnectException("refused"))).isFalse();
    assertThat(UpstreamAttempt.isTimeout(null)).isFalse();
  }

  private static Throwable closed() {
    return new HttpClosedException("Connection was closed");
  }
}
