package io.gatehouse.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lingering close of {@link Http2FrameScanner} on a bare Netty server on loopback (the scanner
 * alone, so its bounds are exact: no connection window, 64 KiB of slack): what was written before
 * the close arrives whole and is followed by a FIN; the input is drained until the client closes,
 * the time is up, the bytes are spent, or the node shuts down; a close without a cut is immediate.
 */
@Timeout(60)
class Http2LingeringCloseIT {
  private static final long WAIT_S = 20;
  private static final byte[] GOODBYE = "goaway".getBytes(StandardCharsets.US_ASCII);

  private EventLoopGroup group;
  private Channel server;
  private Http2FrameScanner scanner;
  private final CompletableFuture<Channel> accepted = new CompletableFuture<>();

  private void start(long lingerMillis) throws InterruptedException {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    scanner = new Http2FrameScanner(false, null, lingerMillis);
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(scanner);
                    accepted.complete(ch);
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close().awaitUninterruptibly();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    s.connect(
        new InetSocketAddress("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort()));
    s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_S));
    return s;
  }

  /** Writes {@code last} (the "GOAWAY"), then closes as Netty's HTTP/2 handler does after a cut. */
  private ChannelFuture cut(Channel ch, byte[] last, boolean linger) throws Exception {
    CompletableFuture<ChannelFuture> closing = new CompletableFuture<>();
    ch.eventLoop()
        .execute(
            () -> {
              if (linger) {
                scanner.cut();
              }
              ch.writeAndFlush(Unpooled.wrappedBuffer(last));
              closing.complete(ch.close());
            });
    return closing.get(WAIT_S, TimeUnit.SECONDS);
  }

  /** Reads everything until the end of stream; returns the byte count, or -1 on a reset. */
  private static long readToEnd(InputStream in) {
    long n = 0;
    byte[] buf = new byte[64 * 1024];
    try {
      for (int r; (r = in.read(buf)) >= 0; ) {
        n += r;
      }
      return n;
    } catch (IOException reset) {
      return -1;
    }
  }

  /** Writes {@code chunk} until a write fails or {@code stop} is set; pauses between when asked. */
  private static Thread writer(Socket s, int chunk, long pauseMs, AtomicBoolean stop) {
    Thread t =
        new Thread(
            () -> {
              CountDownLatch never = new CountDownLatch(1);
              try {
                OutputStream out = s.getOutputStream();
                byte[] bytes = new byte[chunk];
                while (!stop.get()) {
                  out.write(bytes);
                  if (pauseMs > 0 && never.await(pauseMs, TimeUnit.MILLISECONDS)) {
                    return;
                  }
                }
              } catch (IOException | InterruptedException closed) {
                // the server closed
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void what_was_written_arrives_whole_then_a_fin_and_the_close_ends_when_the_client_closes()
      throws Exception {
    start(60_000);
    try (Socket s = connect()) {
      Channel ch = accepted.get(WAIT_S, TimeUnit.SECONDS);
      // More than the socket buffers hold: most of it is still queued when the close comes.
      byte[] big = new byte[4 * 1024 * 1024];
      ChannelFuture closed = cut(ch, big, true);
      assertThat(readToEnd(s.getInputStream())).as("bytes before the FIN").isEqualTo(big.length);
      assertThat(closed.isDone()).as("closed before the client closes").isFalse();
      assertThat(ch.isOpen()).isTrue();
      s.shutdownOutput(); // the client's FIN
      assertThat(closed.await(WAIT_S, TimeUnit.SECONDS)).as("closed after the client").isTrue();
      assertThat(closed.isSuccess()).isTrue();
    }
  }

  @Test
  void a_client_that_keeps_writing_is_closed_once_the_byte_bound_is_spent() throws Exception {
    start(60_000);
    AtomicBoolean stop = new AtomicBoolean();
    try (Socket s = connect()) {
      Channel ch = accepted.get(WAIT_S, TimeUnit.SECONDS);
      Thread w = writer(s, 8 * 1024, 0, stop);
      ChannelFuture closed = cut(ch, GOODBYE, true);
      assertThat(closed.await(WAIT_S, TimeUnit.SECONDS)).as("closed").isTrue();
      long discarded = scanner.discarded();
      stop.set(true);
      w.join(TimeUnit.SECONDS.toMillis(WAIT_S));
      // The bound is checked after each read, of 64 KiB at most.
      assertThat(discarded)
          .isBetween(
              (long) Http2FrameScanner.LINGER_SLACK_BYTES,
              Http2FrameScanner.LINGER_SLACK_BYTES + 64 * 1024L);
    }
  }

  @Test
  void a_client_that_trickles_is_closed_when_the_time_is_up() throws Exception {
    long lingerMs = 1_000;
    start(lingerMs);
    AtomicBoolean stop = new AtomicBoolean();
    try (Socket s = connect()) {
      Channel ch = accepted.get(WAIT_S, TimeUnit.SECONDS);
      Thread w = writer(s, 16, 20, stop);
      long t0 = System.nanoTime();
      ChannelFuture closed = cut(ch, GOODBYE, true);
      assertThat(readToEnd(s.getInputStream()))
          .as("bytes before the FIN")
          .isEqualTo(GOODBYE.length);
      assertThat(closed.await(WAIT_S, TimeUnit.SECONDS)).as("closed").isTrue();
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      stop.set(true);
      w.join(TimeUnit.SECONDS.toMillis(WAIT_S));
      assertThat(ms).as("ms until the close").isGreaterThanOrEqualTo(lingerMs - 50);
      assertThat(scanner.discarded()).as("bytes drained").isPositive();
    }
  }

  @Test
  void node_shutdown_ends_a_lingering_close_at_once() throws Exception {
    start(600_000);
    AtomicBoolean stop = new AtomicBoolean();
    try (Socket s = connect()) {
      Channel ch = accepted.get(WAIT_S, TimeUnit.SECONDS);
      Thread w = writer(s, 16, 20, stop);
      ChannelFuture closed = cut(ch, GOODBYE, true);
      assertThat(readToEnd(s.getInputStream()))
          .as("bytes before the FIN")
          .isEqualTo(GOODBYE.length);
      assertThat(closed.isDone()).as("lingering").isFalse();
      ch.eventLoop().execute(scanner::endLingering);
      assertThat(closed.await(WAIT_S, TimeUnit.SECONDS)).as("closed at shutdown").isTrue();
      stop.set(true);
      w.join(TimeUnit.SECONDS.toMillis(WAIT_S));
    }
  }

  @Test
  void a_close_without_a_cut_does_not_linger() throws Exception {
    start(600_000);
    AtomicBoolean stop = new AtomicBoolean();
    try (Socket s = connect()) {
      Channel ch = accepted.get(WAIT_S, TimeUnit.SECONDS);
      Thread w = writer(s, 16, 20, stop);
      ChannelFuture closed = cut(ch, GOODBYE, false);
      assertThat(closed.await(WAIT_S, TimeUnit.SECONDS)).as("closed").isTrue();
      assertThat(scanner.discarded()).isZero();
      stop.set(true);
      w.join(TimeUnit.SECONDS.toMillis(WAIT_S));
    }
  }
}
