package io.gatehouse.trace;

import java.time.Duration;
import java.util.Map;

/**
 * What the tracer is built with (the node maps its {@code tracing:} settings here, validated).
 *
 * @param endpoint the collector's OTLP/HTTP traces URL
 * @param sampleRatio the share of new traces recorded, 0 to 1
 * @param parentBased follow the sampled flag of a client's {@code traceparent}
 * @param serviceName the exported {@code service.name}
 * @param serviceVersion the exported {@code service.version}
 * @param exportInterval the longest a finished span waits for its batch
 * @param exportTimeout the longest one export may take
 * @param queueSize finished spans held for export at most (more are dropped)
 * @param headers sent with every export (credentials: never logged)
 */
public record TracingOptions(
    String endpoint,
    double sampleRatio,
    boolean parentBased,
    String serviceName,
    String serviceVersion,
    Duration exportInterval,
    Duration exportTimeout,
    int queueSize,
    Map<String, String> headers) {
  public TracingOptions {
    headers = Map.copyOf(headers);
  }

  /** Never shows the headers' values. */
  @Override
  public String toString() {
    return "TracingOptions[endpoint="
        + OtlpTracing.shown(endpoint)
        + ", sampleRatio="
        + sampleRatio
        + ", headers="
        + headers.keySet()
        + "]";
  }
}
