package io.gatehouse.trace;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OTLP exporter, with its failures logged as one warning a minute at most (a collector that is
 * down would otherwise log per batch), and its recovery once.
 */
final class LoggingExporter implements SpanExporter {
  private static final Logger LOG = LoggerFactory.getLogger(OtlpTracing.class);
  private static final long QUIET_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final SpanExporter delegate;
  private final String endpoint;

  /** Failed batches since the last warning, and when it was written (0: none since success). */
  private final AtomicLong failedSince = new AtomicLong();

  private final AtomicLong lastWarning = new AtomicLong();

  LoggingExporter(SpanExporter delegate, String endpoint) {
    this.delegate = delegate;
    this.endpoint = endpoint;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    CompletableResultCode result = delegate.export(spans);
    int count = spans.size();
    result.whenComplete(() -> exported(result, count));
    return result;
  }

  private void exported(CompletableResultCode result, int spans) {
    if (result.isSuccess()) {
      if (lastWarning.getAndSet(0) != 0) {
        failedSince.set(0);
        LOG.atInfo().setMessage("tracing export recovered").addKeyValue("endpoint", endpoint).log();
      }
      return;
    }
    long failed = failedSince.incrementAndGet();
    long now = System.nanoTime();
    long last = lastWarning.get();
    if ((last == 0 || now - last >= QUIET_NANOS) && lastWarning.compareAndSet(last, now | 1)) {
      failedSince.set(0);
      Throwable cause = result.getFailureThrowable();
      LOG.atWarn()
          .setMessage("tracing export failed; spans dropped")
          .addKeyValue("endpoint", endpoint)
          .addKeyValue("spans", spans)
          .addKeyValue("failedBatches", failed)
          .addKeyValue("error", cause == null ? "rejected" : String.valueOf(cause.getMessage()))
          .log();
    }
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }
}
