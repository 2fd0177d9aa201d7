package io.gatehouse.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A raw HTTP/1.1 client over a plain socket, for bytes no well-behaved client would send (smuggling
 * vectors, limits at their exact threshold).
 */
public final class RawHttp implements AutoCloseable {
  /** A parsed response; {@code status} is -1 when the server closed without answering. */
  public record Response(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RawHttp(int port) throws IOException {
    this(port, null);
  }

  /** Connects from {@code localAddress} (e.g. 127.0.0.2, to look like another client), or any. */
  public RawHttp(int port, String localAddress) throws IOException {
    socket =
        localAddress == null
            ? new Socket("127.0.0.1", port)
            : new Socket(
                java.net.InetAddress.getByName("127.0.0.1"),
                port,
                java.net.InetAddress.getByName(localAddress),
                0);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Sends {@code request} (CRLF line ends are the caller's) and reads one response. */
  public static Response exchange(int port, String request) throws IOException {
    try (RawHttp raw = new RawHttp(port)) {
      raw.send(request);
      return raw.read();
    }
  }

  public void send(String data) throws IOException {
    send(data.getBytes(StandardCharsets.ISO_8859_1));
  }

  public void send(byte[] data) throws IOException {
    out.write(data);
    out.flush();
  }

  /** Whether response bytes are waiting to be read. */
  public boolean hasInput() throws IOException {
    return in.available() > 0;
  }

  public Socket socket() {
    return socket;
  }

  /** Reads one response (Content-Length or chunked body, or until close). */
  public Response read() throws IOException {
    String statusLine = readLine();
    if (statusLine == null) {
      return new Response(-1, Map.of(), "");
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    String line;
    while ((line = readLine()) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      headers.merge(
          line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).trim(),
          (a, b) -> a + ", " + b);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (status / 100 == 1 || status == 204 || status == 304) {
      return new Response(status, headers, "");
    }
    if (headers.containsKey("content-length")) {
      int n = Integer.parseInt(headers.get("content-length"));
      body.write(in.readNBytes(n));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      while (true) {
        int size = Integer.parseInt(readLine().split(";")[0].trim(), 16);
        if (size == 0) {
          while (!readLine().isEmpty()) {
            // trailers
          }
          break;
        }
        body.write(in.readNBytes(size));
        readLine();
      }
    } else {
      try {
        body.write(in.readAllBytes());
      } catch (SocketTimeoutException e) {
        // keep what arrived
      }
    }
    return new Response(status, headers, body.toString(StandardCharsets.ISO_8859_1));
  }

  /** Whether the server closed the connection (reads EOF within the socket timeout). */
  public boolean closedByServer() throws IOException {
    try {
      return in.read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private String readLine() throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int len = b.length();
        if (len > 0 && b.charAt(len - 1) == '\r') {
          b.setLength(len - 1);
        }
        return b.toString();
      }
      b.append((char) c);
    }
    return b.length() == 0 ? null : b.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
