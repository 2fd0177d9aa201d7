package io.gatehouse.testing;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real grpc-java server on 127.0.0.1, port 0, with one method of each kind. The methods are
 * described by hand with a UTF-8 string marshaller, so no protobuf code generation is needed.
 */
public final class GrpcEcho implements AutoCloseable {
  public static final String SERVICE = "gatehouse.test.Echo";

  public static final MethodDescriptor<String, String> UNARY = method("Unary", MethodType.UNARY);

  /** Sends "first", waits for {@link #releaseRest}, then sends the request's count of messages. */
  public static final MethodDescriptor<String, String> SERVER_STREAM =
      method("ServerStream", MethodType.SERVER_STREAMING);

  /** Answers the messages joined by ','. */
  public static final MethodDescriptor<String, String> CLIENT_STREAM =
      method("ClientStream", MethodType.CLIENT_STREAMING);

  /** Answers each message with "pong:" + message, as it arrives. */
  public static final MethodDescriptor<String, String> BIDI =
      method("Bidi", MethodType.BIDI_STREAMING);

  /**
   * Never answers; reports its start in {@link #started}, its cancellation in {@link #cancelled}.
   */
  public static final MethodDescriptor<String, String> SLOW = method("Slow", MethodType.UNARY);

  /** Fails with INVALID_ARGUMENT, the request as description and trailer {@code x-detail}. */
  public static final MethodDescriptor<String, String> FAIL = method("Fail", MethodType.UNARY);

  public static final Metadata.Key<String> DETAIL =
      Metadata.Key.of("x-detail", Metadata.ASCII_STRING_MARSHALLER);

  /** The requests of SLOW that arrived. */
  public final BlockingQueue<String> started = new LinkedBlockingQueue<>();

  /** The requests of SLOW whose call was cancelled (by the client, or by a deadline). */
  public final BlockingQueue<String> cancelled = new LinkedBlockingQueue<>();

  /** Completed by the test to let SERVER_STREAM send the rest of its messages. */
  public volatile CompletableFuture<Void> releaseRest = new CompletableFuture<>();

  private Server server;

  private GrpcEcho() {}

  public static GrpcEcho start(ServerCredentials credentials) throws IOException {
    GrpcEcho echo = new GrpcEcho();
    echo.server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), credentials)
            .addService(echo.service())
            .build()
            .start();
    return echo;
  }

  public int port() {
    return server.getPort();
  }

  private ServerServiceDefinition service() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(
            UNARY,
            ServerCalls.asyncUnaryCall(
                (req, out) -> {
                  out.onNext("echo:" + req);
                  out.onCompleted();
                }))
        .addMethod(
            SERVER_STREAM,
            ServerCalls.asyncServerStreamingCall(
                (req, out) -> {
                  out.onNext("first");
                  int n = Integer.parseInt(req);
                  releaseRest.whenComplete(
                      (v, t) -> {
                        for (int i = 1; i <= n; i++) {
                          out.onNext("m" + i);
                        }
                        out.onCompleted();
                      });
                }))
        .addMethod(
            CLIENT_STREAM,
            ServerCalls.asyncClientStreamingCall(
                out ->
                    new StreamObserver<String>() {
                      final StringBuilder joined = new StringBuilder();

                      @Override
                      public void onNext(String m) {
                        joined.append(joined.length() == 0 ? "" : ",").append(m);
                      }

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {
                        out.onNext(joined.toString());
                        out.onCompleted();
                      }
                    }))
        .addMethod(
            BIDI,
            ServerCalls.asyncBidiStreamingCall(
                out ->
                    new StreamObserver<String>() {
                      @Override
                      public void onNext(String m) {
                        out.onNext("pong:" + m);
                      }

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {
                        out.onCompleted();
                      }
                    }))
        .addMethod(
            SLOW,
            ServerCalls.asyncUnaryCall(
                (req, out) -> {
                  Context.current().addListener(ctx -> cancelled.add(req), Runnable::run);
                  started.add(req);
                }))
        .addMethod(
            FAIL,
            ServerCalls.asyncUnaryCall(
                (req, out) -> {
                  Metadata trailers = new Metadata();
                  trailers.put(DETAIL, "detail-of-" + req.length());
                  out.onError(
                      Status.INVALID_ARGUMENT.withDescription(req).asRuntimeException(trailers));
                }))
        .build();
  }

  private static MethodDescriptor<String, String> method(String name, MethodType type) {
    return MethodDescriptor.<String, String>newBuilder()
        .setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(Utf8.INSTANCE)
        .setResponseMarshaller(Utf8.INSTANCE)
        .build();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
  }

  /** Messages are UTF-8 strings. */
  private enum Utf8 implements MethodDescriptor.Marshaller<String> {
    INSTANCE;

    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
