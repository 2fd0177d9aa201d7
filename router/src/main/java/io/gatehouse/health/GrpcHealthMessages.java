package io.gatehouse.health;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The two protobuf messages of {@code grpc.health.v1.Health/Check}, encoded by hand: {@code
 * HealthCheckRequest { string service = 1; }} and {@code HealthCheckResponse { ServingStatus status
 * = 1; }}, each in a gRPC length-prefixed frame. One string field and one enum are a dozen lines;
 * protobuf-java and a generated stub would put two libraries on the router's classpath for them.
 * Unknown fields of a response are skipped as protobuf requires, so a newer server still parses.
 */
final class GrpcHealthMessages {
  /** {@code ServingStatus.SERVING}. */
  static final int SERVING = 1;

  /** The answer could not be parsed. */
  static final int MALFORMED = -1;

  static final String PATH = "/grpc.health.v1.Health/Check";

  private GrpcHealthMessages() {}

  /** A whole gRPC frame (flag, length, message) asking about {@code service}. */
  static byte[] request(String service) {
    byte[] name = service.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    if (name.length > 0) {
      message.write(0x0a); // field 1, wire type 2 (length-delimited)
      writeVarint(message, name.length);
      message.write(name, 0, name.length);
    }
    byte[] m = message.toByteArray();
    byte[] frame = new byte[5 + m.length];
    frame[0] = 0; // not compressed
    frame[1] = (byte) (m.length >>> 24);
    frame[2] = (byte) (m.length >>> 16);
    frame[3] = (byte) (m.length >>> 8);
    frame[4] = (byte) m.length;
    System.arraycopy(m, 0, frame, 5, m.length);
    return frame;
  }

  /** A whole gRPC frame answering {@code status} (for tests' fake servers). */
  static byte[] response(int status) {
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    if (status != 0) {
      message.write(0x08); // field 1, wire type 0 (varint)
      writeVarint(message, status);
    }
    byte[] m = message.toByteArray();
    byte[] frame = new byte[5 + m.length];
    frame[4] = (byte) m.length;
    System.arraycopy(m, 0, frame, 5, m.length);
    return frame;
  }

  /** The serving status in a response body (one uncompressed frame), or {@link #MALFORMED}. */
  static int status(byte[] body) {
    if (body.length < 5 || body[0] != 0) {
      return MALFORMED;
    }
    long len =
        ((body[1] & 0xffL) << 24)
            | ((body[2] & 0xff) << 16)
            | ((body[3] & 0xff) << 8)
            | (body[4] & 0xff);
    if (len != body.length - 5) {
      return MALFORMED;
    }
    int status = 0; // proto3: an absent field is its zero, UNKNOWN
    int[] pos = {5};
    while (pos[0] < body.length) {
      long tag = readVarint(body, pos);
      if (tag < 0) {
        return MALFORMED;
      }
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if (wire == 0) {
        long v = readVarint(body, pos);
        if (v < 0) {
          return MALFORMED;
        }
        if (field == 1) {
          status = (int) v;
        }
      } else if (wire == 2) {
        long n = readVarint(body, pos);
        if (n < 0 || n > body.length - pos[0]) {
          return MALFORMED;
        }
        pos[0] += (int) n;
      } else if (wire == 1 || wire == 5) {
        pos[0] += wire == 1 ? 8 : 4;
        if (pos[0] > body.length) {
          return MALFORMED;
        }
      } else {
        return MALFORMED;
      }
    }
    return status;
  }

  private static void writeVarint(ByteArrayOutputStream out, int value) {
    long v = value & 0xffffffffL;
    while (v >= 0x80) {
      out.write((int) (v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.write((int) v);
  }

  /** The varint at {@code pos[0]} (advanced past it), or -1 when it is cut or too long. */
  private static long readVarint(byte[] b, int[] pos) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= b.length) {
        return -1;
      }
      int x = b[pos[0]++] & 0xff;
      v |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    return -1;
  }
}
