package io.gatehouse.model.backend;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Active probes of every endpoint of a backend. An endpoint turns unhealthy after {@code
 * unhealthyThreshold} failed probes in a row and healthy again after {@code healthyThreshold}
 * passed ones; a new endpoint counts as healthy until its first probes say otherwise (as Envoy with
 * {@code ignore_new_hosts_until_first_hc} off), so adding an endpoint never empties a backend. In a
 * cluster one node probes a given endpoint at a time and shares the verdict.
 *
 * @param protocol how to probe
 * @param path the HTTP probe's request target (origin form); null for TCP and gRPC
 * @param host the HTTP probe's {@code Host}; null for the endpoint's authority
 * @param expectedStatuses statuses that pass an HTTP probe, as inclusive ranges
 * @param grpcService the gRPC probe's {@code service} field ({@code grpc.health.v1}); empty for the
 *     whole server
 * @param interval between the ends of two probes of one endpoint
 * @param timeout one probe's limit (connect and answer)
 * @param jitter a random extra wait of up to this much before each probe, so probes of many
 *     endpoints spread out
 * @param unhealthyThreshold failed probes in a row that make an endpoint unhealthy
 * @param healthyThreshold passed probes in a row that make an unhealthy endpoint healthy
 */
public record HealthCheck(
    Protocol protocol,
    @Nullable String path,
    @Nullable String host,
    List<StatusRange> expectedStatuses,
    String grpcService,
    Duration interval,
    Duration timeout,
    Duration jitter,
    int unhealthyThreshold,
    int healthyThreshold) {

  public enum Protocol {
    HTTP,
    /** {@code grpc.health.v1.Health/Check} over HTTP/2 (h2c, or h2 with the backend's TLS). */
    GRPC,
    /** A TCP connect (over TLS, the handshake too). */
    TCP
  }

  /** An inclusive range of statuses. */
  public record StatusRange(int from, int to) {
    public static StatusRange of(int status) {
      return new StatusRange(status, status);
    }

    public boolean contains(int status) {
      return status >= from && status <= to;
    }
  }

  /** HAProxy's and nginx's pass mark for an HTTP check: any 2xx or 3xx. */
  public static final List<StatusRange> DEFAULT_STATUSES = List.of(new StatusRange(200, 399));

  /** Kubernetes probes' period; HAProxy's default {@code inter} is 2 s. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  public static final Duration DEFAULT_JITTER = Duration.ofMillis(500);

  /** HAProxy's {@code fall 3} and {@code rise 2}, Kubernetes' failureThreshold 3. */
  public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;

  public static final int DEFAULT_HEALTHY_THRESHOLD = 2;

  public HealthCheck {
    Objects.requireNonNull(protocol, "protocol");
    expectedStatuses =
        expectedStatuses == null || expectedStatuses.isEmpty()
            ? DEFAULT_STATUSES
            : List.copyOf(expectedStatuses);
    grpcService = grpcService == null ? "" : grpcService;
    interval = interval == null ? DEFAULT_INTERVAL : interval;
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    jitter = jitter == null ? DEFAULT_JITTER : jitter;
  }

  /** An HTTP GET of {@code path} with every other setting at its default. */
  public static HealthCheck http(String path) {
    return new HealthCheck(
        Protocol.HTTP,
        path,
        null,
        DEFAULT_STATUSES,
        "",
        DEFAULT_INTERVAL,
        DEFAULT_TIMEOUT,
        DEFAULT_JITTER,
        DEFAULT_UNHEALTHY_THRESHOLD,
        DEFAULT_HEALTHY_THRESHOLD);
  }

  public static HealthCheck tcp() {
    return new HealthCheck(
        Protocol.TCP,
        null,
        null,
        DEFAULT_STATUSES,
        "",
        DEFAULT_INTERVAL,
        DEFAULT_TIMEOUT,
        DEFAULT_JITTER,
        DEFAULT_UNHEALTHY_THRESHOLD,
        DEFAULT_HEALTHY_THRESHOLD);
  }

  public HealthCheck withTiming(Duration newInterval, Duration newTimeout, Duration newJitter) {
    return new HealthCheck(
        protocol,
        path,
        host,
        expectedStatuses,
        grpcService,
        newInterval,
        newTimeout,
        newJitter,
        unhealthyThreshold,
        healthyThreshold);
  }

  public HealthCheck withThresholds(int unhealthy, int healthy) {
    return new HealthCheck(
        protocol,
        path,
        host,
        expectedStatuses,
        grpcService,
        interval,
        timeout,
        jitter,
        unhealthy,
        healthy);
  }
}
