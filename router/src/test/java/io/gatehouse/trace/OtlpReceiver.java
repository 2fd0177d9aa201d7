package io.gatehouse.trace;

import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP traces receiver on 127.0.0.1:0: decodes each {@code ExportTraceServiceRequest}
 * (protobuf, gzip or not) and keeps its spans, with their resource's {@code service.name}.
 */
final class OtlpReceiver implements AutoCloseable {
  /** A received span and the service that sent it. */
  record Received(String service, Span span) {
    String traceId() {
      return HexFormat.of().formatHex(span.getTraceId().toByteArray());
    }

    String spanId() {
      return HexFormat.of().formatHex(span.getSpanId().toByteArray());
    }

    String parentSpanId() {
      return HexFormat.of().formatHex(span.getParentSpanId().toByteArray());
    }

    /** The attribute's value as text (string or integer), or null. */
    String attribute(String key) {
      for (KeyValue kv : span.getAttributesList()) {
        if (kv.getKey().equals(key)) {
          return kv.getValue().hasIntValue()
              ? Long.toString(kv.getValue().getIntValue())
              : kv.getValue().getStringValue();
        }
      }
      return null;
    }
  }

  final List<Received> spans = new CopyOnWriteArrayList<>();
  final AtomicInteger requests = new AtomicInteger();
  final List<String> problems = new CopyOnWriteArrayList<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  OtlpReceiver(Vertx vertx) throws Exception {
    server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              requests.incrementAndGet();
                              String authorization = req.getHeader("authorization");
                              if (authorization != null) {
                                authorizations.add(authorization);
                              }
                              if (!req.path().equals("/v1/traces")
                                  || !"application/x-protobuf"
                                      .equals(req.getHeader("content-type"))) {
                                problems.add(req.path() + " " + req.getHeader("content-type"));
                                req.response().setStatusCode(415).end();
                                return;
                              }
                              try {
                                receive(body, "gzip".equals(req.getHeader("content-encoding")));
                              } catch (IOException e) {
                                problems.add(e.toString());
                                req.response().setStatusCode(400).end();
                                return;
                              }
                              req.response()
                                  .putHeader("content-type", "application/x-protobuf")
                                  .end(
                                      Buffer.buffer(
                                          ExportTraceServiceResponse.getDefaultInstance()
                                              .toByteArray()));
                            }));
    server.listen().await(10, TimeUnit.SECONDS);
  }

  private void receive(Buffer body, boolean gzip) throws IOException {
    byte[] bytes = body.getBytes();
    if (gzip) {
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
        bytes = in.readAllBytes();
      }
    }
    ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(bytes);
    for (ResourceSpans rs : request.getResourceSpansList()) {
      String service = "";
      for (KeyValue kv : rs.getResource().getAttributesList()) {
        if (kv.getKey().equals("service.name")) {
          service = kv.getValue().getStringValue();
        }
      }
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span s : ss.getSpansList()) {
          spans.add(new Received(service, s));
        }
      }
    }
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1/traces";
  }

  /** The spans of trace {@code traceId}, once {@code count} of them arrived (10 s at most). */
  List<Received> awaitTrace(String traceId, int count) {
    Predicate<Received> of = r -> r.traceId().equals(traceId);
    await("spans of trace " + traceId)
        .atMost(Duration.ofSeconds(10))
        .until(() -> spans.stream().filter(of).count() >= count);
    return spans.stream().filter(of).toList();
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
  }
}
