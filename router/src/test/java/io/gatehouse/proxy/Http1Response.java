package io.gatehouse.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A bare HTTP/1.1 response reader over a socket's stream, for tests that must read a body at their
 * own pace with a Host header of their choosing: the head, then a chunked body as a stream.
 */
final class Http1Response {
  private Http1Response() {}

  /** The status line and headers: {@code :status} and lower-case names (last value wins). */
  static Map<String, String> head(InputStream in) throws IOException {
    Map<String, String> head = new HashMap<>();
    String status = line(in);
    head.put(":status", status.split(" ", 3)[1]);
    for (String l = line(in); !l.isEmpty(); l = line(in)) {
      int colon = l.indexOf(':');
      head.put(
          l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
    }
    return head;
  }

  /** The body of a chunked response as the bytes it carries, ending at the last chunk. */
  static InputStream chunked(InputStream in) {
    return new InputStream() {
      long left;
      boolean done;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (done) {
          return -1;
        }
        if (left == 0) {
          String size = line(in);
          int semi = size.indexOf(';');
          left = Long.parseLong(semi < 0 ? size.trim() : size.substring(0, semi).trim(), 16);
          if (left == 0) {
            while (!line(in).isEmpty()) {
              // trailers
            }
            done = true;
            return -1;
          }
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n < 0) {
          throw new IOException("connection closed inside a chunk");
        }
        left -= n;
        if (left == 0) {
          line(in); // the CRLF after the chunk
        }
        return n;
      }
    };
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed in a line");
      }
      if (c != '\r') {
        s.append((char) c);
      }
    }
    return s.toString();
  }
}
