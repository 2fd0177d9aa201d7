package io.gatehouse.trace;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A collector that is down is one warning (not one per batch), and its return one info line. */
class LoggingExporterTest {
  final ListAppender<ILoggingEvent> written = new ListAppender<>();
  final Logger logger = (Logger) LoggerFactory.getLogger(OtlpTracing.class);
  Level before;

  /** What the next export answers. */
  CompletableResultCode next = CompletableResultCode.ofSuccess();

  final SpanExporter scripted =
      new SpanExporter() {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
          return next;
        }

        @Override
        public CompletableResultCode flush() {
          return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
          return CompletableResultCode.ofSuccess();
        }
      };

  @BeforeEach
  void attach() {
    before = logger.getLevel();
    logger.setLevel(Level.INFO);
    written.start();
    logger.addAppender(written);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(written);
    logger.setLevel(before);
  }

  static Map<String, Object> fields(ILoggingEvent e) {
    return e.getKeyValuePairs() == null
        ? Map.of()
        : e.getKeyValuePairs().stream().collect(Collectors.toMap(kv -> kv.key, kv -> kv.value));
  }

  @Test
  void failures_warn_once_then_recovery_is_logged_once() {
    LoggingExporter exporter = new LoggingExporter(scripted, "http://127.0.0.1:4318/v1/traces");
    next = CompletableResultCode.ofSuccess();
    exporter.export(List.of());
    assertThat(written.list).as("success is silent").isEmpty();

    next = CompletableResultCode.ofExceptionalFailure(new IOException("Connection refused"));
    for (int i = 0; i < 5; i++) {
      exporter.export(List.of());
    }
    assertThat(written.list).hasSize(1);
    ILoggingEvent warning = written.list.get(0);
    assertThat(warning.getLevel()).isEqualTo(Level.WARN);
    assertThat(warning.getMessage()).isEqualTo("tracing export failed; spans dropped");
    assertThat(fields(warning))
        .containsEntry("endpoint", "http://127.0.0.1:4318/v1/traces")
        .containsEntry("error", "Connection refused");

    next = CompletableResultCode.ofSuccess();
    exporter.export(List.of());
    exporter.export(List.of());
    assertThat(written.list).hasSize(2);
    assertThat(written.list.get(1).getMessage()).isEqualTo("tracing export recovered");

    next = CompletableResultCode.ofFailure();
    exporter.export(List.of());
    assertThat(written.list).as("a new outage warns again").hasSize(3);
    assertThat(fields(written.list.get(2))).containsEntry("error", "rejected");
  }
}
