package io.gatehouse.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * A hand-built HTTP/2 client over cleartext (prior knowledge) for hostile-input tests: it sends
 * frames no well-behaved client library would (malformed fields, frames in the wrong stream state,
 * floods) and reads the server's frames raw. HPACK comes from Netty's encoder, which checks
 * nothing. Every read has a timeout.
 */
public final class RawH2 implements AutoCloseable {
  public static final int DATA = 0;
  public static final int HEADERS = 1;
  public static final int RST_STREAM = 3;
  public static final int SETTINGS = 4;
  public static final int PING = 6;
  public static final int GOAWAY = 7;
  public static final int WINDOW_UPDATE = 8;
  public static final int END_STREAM = 0x1;
  public static final int END_HEADERS = 0x4;
  public static final int PRIORITY = 2;
  public static final long NO_ERROR = 0;
  public static final long PROTOCOL_ERROR = 1;
  public static final long FLOW_CONTROL_ERROR = 3;
  public static final long ENHANCE_YOUR_CALM = 11;
  public static final long STREAM_CLOSED = 5;

  /** One frame as read; for RST_STREAM and GOAWAY {@code code} is the error code, else -1. */
  public record Frame(int type, int flags, int streamId, byte[] payload, long code) {}

  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final Socket socket;
  private OutputStream out;

  /** While corked, frames collect here and go out in one write at {@link #uncork}. */
  private ByteArrayOutputStream cork;

  private final DataInputStream in;

  /** Why {@link #next} last returned null: "timeout", "closed" (EOF) or "reset: ..." (TCP RST). */
  public volatile String ended;

  private final Http2HeadersEncoder encoder =
      new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true);

  private RawH2(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = new DataInputStream(socket.getInputStream());
  }

  /** Connects with prior knowledge and sends the preface and an empty SETTINGS frame. */
  public static RawH2 connect(int port) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setTcpNoDelay(true);
    RawH2 c = new RawH2(s);
    c.out.write(PREFACE);
    c.frame(SETTINGS, 0, 0, new byte[0]);
    return c;
  }

  /**
   * Connects over TLS with ALPN h2 (any certificate) and sends the preface and an empty SETTINGS
   * frame, which wait in {@link #cork} until {@link #uncork} when {@code corked}: so a test can put
   * frames in the same read as the preface.
   */
  public static RawH2 connectTls(int port, boolean corked) throws IOException {
    Socket plain = new Socket("127.0.0.1", port);
    return tls(plain, port, corked);
  }

  /**
   * As {@link #connect(int, boolean)} or {@link #connectTls}, with the socket's receive buffer (the
   * TCP window this client offers) set to {@code bytes} before connecting: while the client does
   * not read, what the server writes beyond it stays queued at the server.
   */
  public static RawH2 connect(int port, boolean tls, boolean corked, int bytes) throws IOException {
    Socket plain = new Socket();
    plain.setReceiveBufferSize(bytes);
    plain.connect(new java.net.InetSocketAddress("127.0.0.1", port));
    if (!tls) {
      plain.setTcpNoDelay(true);
      return start(plain, corked);
    }
    return tls(plain, port, corked);
  }

  private static RawH2 tls(Socket plain, int port, boolean corked) throws IOException {
    SSLSocket s;
    try {
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, new TrustManager[] {new TrustAll()}, null);
      s = (SSLSocket) ssl.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
    } catch (GeneralSecurityException e) {
      plain.close();
      throw new IOException(e);
    }
    s.setTcpNoDelay(true);
    SSLParameters params = s.getSSLParameters();
    params.setApplicationProtocols(new String[] {"h2"});
    s.setSSLParameters(params);
    s.startHandshake();
    if (!"h2".equals(s.getApplicationProtocol())) {
      s.close();
      throw new IOException("ALPN chose " + s.getApplicationProtocol());
    }
    return start(s, corked);
  }

  /** As {@link #connect(int)}, corked when asked (see {@link #connectTls}). */
  public static RawH2 connect(int port, boolean corked) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setTcpNoDelay(true);
    return start(s, corked);
  }

  private static RawH2 start(Socket s, boolean corked) throws IOException {
    RawH2 c = new RawH2(s);
    if (corked) {
      c.cork = new ByteArrayOutputStream();
    }
    c.frameOut().write(PREFACE);
    c.frame(SETTINGS, 0, 0, new byte[0]);
    return c;
  }

  /**
   * An h2c Upgrade (RFC 7540 §3.2): a body-less HTTP/1.1 GET with {@code Upgrade: h2c}, then, after
   * the 101, the preface and an empty SETTINGS frame. The answer comes on stream 1.
   */
  public static RawH2 upgrade(int port, String host, String path) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setTcpNoDelay(true);
    s.setSoTimeout(10_000);
    RawH2 c = new RawH2(s);
    c.out.write(
        ("GET "
                + path
                + " HTTP/1.1\r\nHost: "
                + host
                + "\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      head.append((char) c.in.readUnsignedByte());
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      s.close();
      throw new IOException("no upgrade: " + head);
    }
    c.out.write(PREFACE);
    c.frame(SETTINGS, 0, 0, new byte[0]);
    return c;
  }

  /** Writes what was corked in one write; later frames go out at once. */
  public void uncork() throws IOException {
    byte[] all = cork.toByteArray();
    cork = null;
    out.write(all);
  }

  private OutputStream frameOut() {
    return cork != null ? cork : out;
  }

  /** The HPACK block of {@code headers}, for frames built by hand. */
  public byte[] block(Http2Headers headers) throws IOException {
    ByteBuf block = Unpooled.buffer();
    try {
      encoder.encodeHeaders(1, headers, block);
    } catch (Http2Exception e) {
      throw new IOException(e);
    }
    byte[] bytes = new byte[block.readableBytes()];
    block.readBytes(bytes);
    block.release();
    return bytes;
  }

  /** A request header block: the pseudo-headers of a GET to {@code authority}, then extras. */
  public static Http2Headers request(String method, String authority, String path) {
    // No validation: the point is to send what a real client library would refuse.
    Http2Headers h = new DefaultHttp2Headers(false);
    h.method(method).scheme("http").authority(authority).path(path);
    return h;
  }

  public void headers(int streamId, Http2Headers headers, boolean endStream) throws IOException {
    ByteBuf block = Unpooled.buffer();
    try {
      encoder.encodeHeaders(streamId, headers, block);
    } catch (Http2Exception e) {
      throw new IOException(e);
    }
    byte[] bytes = new byte[block.readableBytes()];
    block.readBytes(bytes);
    block.release();
    frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, bytes);
  }

  public void windowUpdate(int streamId, int increment) throws IOException {
    frame(WINDOW_UPDATE, 0, streamId, int32(increment));
  }

  public void data(int streamId, byte[] bytes, boolean endStream) throws IOException {
    frame(DATA, endStream ? END_STREAM : 0, streamId, bytes);
  }

  public void ping(long opaque) throws IOException {
    byte[] p = new byte[8];
    for (int i = 0; i < 8; i++) {
      p[i] = (byte) (opaque >>> (56 - 8 * i));
    }
    frame(PING, 0, 0, p);
  }

  /**
   * Writes {@code count} copies of one frame in batches; returns how many were written before the
   * server closed the connection.
   */
  public int flood(int type, int flags, int streamId, byte[] payload, int count) {
    int size = 9 + payload.length;
    int batch = 100;
    byte[] one = new byte[size];
    one[0] = (byte) (payload.length >>> 16);
    one[1] = (byte) (payload.length >>> 8);
    one[2] = (byte) payload.length;
    one[3] = (byte) type;
    one[4] = (byte) flags;
    one[5] = (byte) ((streamId >>> 24) & 0x7f);
    one[6] = (byte) (streamId >>> 16);
    one[7] = (byte) (streamId >>> 8);
    one[8] = (byte) streamId;
    System.arraycopy(payload, 0, one, 9, payload.length);
    byte[] many = new byte[size * batch];
    for (int i = 0; i < batch; i++) {
      System.arraycopy(one, 0, many, i * size, size);
    }
    int sent = 0;
    try {
      while (sent < count) {
        int n = Math.min(batch, count - sent);
        out.write(many, 0, n * size);
        sent += n;
      }
    } catch (IOException closed) {
      // The server cut the connection.
    }
    return sent;
  }

  /** The header block of the last HEADERS frame read (decoded in order: HPACK has state). */
  public volatile Http2Headers lastHeaders;

  /**
   * DATA payload bytes {@link #next} has read since the caller last reset it: what a client that
   * keeps a connection busy must give back with WINDOW_UPDATE (this client never does by itself).
   */
  public long dataBytesRead;

  private final io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder decoder =
      new io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder(false);

  private Http2Headers decode(int flags, int stream, byte[] payload) throws IOException {
    int from = 0;
    int to = payload.length;
    if ((flags & 0x8) != 0) { // PADDED
      from = 1;
      to -= payload[0] & 0xff;
    }
    if ((flags & 0x20) != 0) { // PRIORITY
      from += 5;
    }
    ByteBuf block = Unpooled.wrappedBuffer(payload, from, Math.max(0, to - from));
    try {
      return decoder.decodeHeaders(stream, block);
    } catch (Http2Exception e) {
      throw new IOException(e);
    } finally {
      block.release();
    }
  }

  /**
   * The bytes of {@code pairs} HEADERS (a GET to {@code authority}, request open) each followed by
   * RST_STREAM(CANCEL), for stream ids 1, 3, 5, ...: a rapid-reset flood, encoded once for a fresh
   * connection's HPACK state so that flooding costs the client no encoding.
   */
  public static byte[] rapidReset(String authority, int pairs) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    RawH2 recorder = new RawH2(bytes);
    for (int i = 0; i < pairs; i++) {
      int id = 1 + 2 * i;
      recorder.headers(id, request("GET", authority, "/rapid"), false);
      recorder.frame(RST_STREAM, 0, id, new byte[] {0, 0, 0, 8});
    }
    return bytes.toByteArray();
  }

  private RawH2(OutputStream recorder) {
    this.socket = null;
    this.out = recorder;
    this.in = null;
  }

  /** Writes raw bytes in writes of 8 KiB; returns false when the server closed the connection. */
  public boolean write(byte[] bytes) {
    try {
      for (int at = 0; at < bytes.length; at += 8192) {
        out.write(bytes, at, Math.min(8192, bytes.length - at));
      }
      return true;
    } catch (IOException closed) {
      return false;
    }
  }

  /** Something written with the frames of this client. */
  public interface Frames {
    void write() throws IOException;
  }

  /** Writes the frames {@code frames} writes in one socket write (one TCP segment, usually). */
  public void corked(Frames frames) throws IOException {
    OutputStream direct = out;
    java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
    out = batch;
    try {
      frames.write();
    } finally {
      out = direct;
    }
    out.write(batch.toByteArray());
  }

  /** Writes one frame (not flushed by a buffer: the socket stream writes through). */
  public void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
    byte[] f = new byte[9 + payload.length];
    f[0] = (byte) (payload.length >>> 16);
    f[1] = (byte) (payload.length >>> 8);
    f[2] = (byte) payload.length;
    f[3] = (byte) type;
    f[4] = (byte) flags;
    f[5] = (byte) ((streamId >>> 24) & 0x7f);
    f[6] = (byte) (streamId >>> 16);
    f[7] = (byte) (streamId >>> 8);
    f[8] = (byte) streamId;
    System.arraycopy(payload, 0, f, 9, payload.length);
    frameOut().write(f);
  }

  /**
   * The next frame, acknowledging the server's SETTINGS on the way; null when the server closed the
   * connection, or when nothing came within {@code timeout}.
   */
  public Frame next(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    try {
      int len = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int stream = in.readInt() & 0x7fffffff;
      byte[] payload = new byte[len];
      in.readFully(payload);
      long code = -1;
      if (type == RST_STREAM && len >= 4) {
        code = uint32(payload, 0);
      } else if (type == GOAWAY && len >= 8) {
        code = uint32(payload, 4);
      }
      if (type == SETTINGS && (flags & 0x1) == 0) {
        frame(SETTINGS, 0x1, 0, new byte[0]);
      }
      if (type == HEADERS) {
        lastHeaders = decode(flags, stream, payload);
      } else if (type == DATA) {
        dataBytesRead += len;
      }
      return new Frame(type, flags, stream, payload, code);
    } catch (SocketTimeoutException e) {
      ended = "timeout";
      return null;
    } catch (EOFException e) {
      ended = "closed";
      return null;
    } catch (SocketException e) {
      // A reset connection is a closed one.
      ended = "reset: " + e.getMessage();
      return null;
    }
  }

  /**
   * Reads until a frame of {@code type} on {@code streamId} arrives (returned), the connection
   * closes or {@code timeout} passes (null).
   */
  public Frame await(int type, int streamId, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      Frame f = next(Duration.ofNanos(left));
      if (f == null) {
        return null;
      }
      if (f.type() == type && f.streamId() == streamId) {
        return f;
      }
    }
  }

  /** Whether the server closed the connection within {@code timeout} (frames before are read). */
  public boolean awaitClosed(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    byte[] sink = new byte[8192];
    try {
      while (System.nanoTime() < deadline) {
        if (socket.getInputStream().read(sink) < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true;
    }
  }

  private static byte[] int32(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  private static long uint32(byte[] b, int at) {
    return ((b[at] & 0xffL) << 24)
        | ((b[at + 1] & 0xffL) << 16)
        | ((b[at + 2] & 0xffL) << 8)
        | (b[at + 3] & 0xffL);
  }

  public Socket socket() {
    return socket;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
