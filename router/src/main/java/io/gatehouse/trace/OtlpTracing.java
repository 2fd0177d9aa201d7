package io.gatehouse.trace;

import io.gatehouse.observe.ExchangeObserver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's tracer: {@link ExchangeTracer} (sampling parent-based at a ratio; a sampled exchange
 * recorded in plain fields), the OpenTelemetry SDK's batch processor (its own thread; a full queue
 * drops spans, the event loop never waits) and the OTLP/HTTP exporter over the JDK's HttpClient.
 * Built only when tracing is on; {@link #close()} flushes what is queued.
 */
public final class OtlpTracing implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OtlpTracing.class);
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final AttributeKey<String> SERVICE_VERSION =
      AttributeKey.stringKey("service.version");

  private final BatchSpanProcessor processor;
  private final ExchangeTracer observer;
  private final TracingOptions options;

  private OtlpTracing(TracingOptions options, SpanExporter exporter) {
    this.options = options;
    this.processor =
        BatchSpanProcessor.builder(exporter)
            .setScheduleDelay(options.exportInterval())
            .setExporterTimeout(options.exportTimeout())
            .setMaxQueueSize(options.queueSize())
            .setMaxExportBatchSize(Math.min(512, options.queueSize()))
            .setMeterProvider(MeterProvider.noop())
            .build();
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.create(
                    Attributes.of(
                        SERVICE_NAME, options.serviceName(),
                        SERVICE_VERSION, options.serviceVersion())));
    // ExchangeTracer decides what is sampled and records it; no SDK tracer is involved
    this.observer =
        new ExchangeTracer(
            processor,
            new RecordedSpan.Scope(
                resource,
                InstrumentationScopeInfo.builder("io.gatehouse.trace")
                    .setVersion(options.serviceVersion())
                    .build()),
            options.sampleRatio(),
            options.parentBased());
  }

  /** Starts the tracer, exporting to {@link TracingOptions#endpoint()}. */
  public static OtlpTracing start(TracingOptions options) {
    SdkLogs.quiet();
    OtlpHttpSpanExporterBuilder builder =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(options.endpoint())
            .setTimeout(options.exportTimeout())
            .setMeterProvider(MeterProvider::noop);
    options.headers().forEach(builder::addHeader);
    LOG.atInfo()
        .setMessage("tracing on")
        .addKeyValue("endpoint", shown(options.endpoint()))
        .addKeyValue("sampleRatio", options.sampleRatio())
        .addKeyValue("parentBased", options.parentBased())
        .addKeyValue("headers", List.copyOf(options.headers().keySet()))
        .log();
    return new OtlpTracing(
        options, new LoggingExporter(builder.build(), shown(options.endpoint())));
  }

  /** The endpoint as logs show it: without a query, which might hold a key. */
  static String shown(String endpoint) {
    int query = endpoint.indexOf('?');
    return query < 0 ? endpoint : endpoint.substring(0, query) + "?...";
  }

  /** A tracer exporting to {@code exporter} (tests). */
  static OtlpTracing withExporter(TracingOptions options, SpanExporter exporter) {
    return new OtlpTracing(options, exporter);
  }

  /** What the proxy calls on every exchange. */
  public ExchangeObserver observer() {
    return observer;
  }

  /** Exports what is queued now; completes when the exporter answered. */
  public CompletableResultCode flush() {
    return processor.forceFlush();
  }

  /** Exports what is queued and stops the export thread, without waiting. */
  public CompletableResultCode shutdown() {
    return processor.shutdown();
  }

  /**
   * As {@link #shutdown()}, waiting up to the export timeout but 5 s at most (a collector that is
   * down, its export retried, must not hold the node's stop); blocks, so never on an event loop.
   */
  @Override
  public void close() {
    shutdown().join(Math.min(options.exportTimeout().toMillis(), 5_000), TimeUnit.MILLISECONDS);
  }
}
