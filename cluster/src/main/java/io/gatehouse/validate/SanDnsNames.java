package io.gatehouse.validate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The dNSName entries of a certificate's subjectAltName extension, read from its DER bytes.
 *
 * <p>Hand-written on purpose, for one case: the JDK drops the whole extension when one entry does
 * not parse as its type says (a URI entry of {@code *}, as the Gateway API conformance suite's
 * certificates carry, is not a URI to {@code sun.security.x509.URIName}), and then reports no names
 * at all, while OpenSSL, BoringSSL and Go serve such a certificate by its DNS names. Only the
 * structure is walked: SEQUENCE of GeneralName, keeping {@code [2] IA5String}.
 */
final class SanDnsNames {
  private SanDnsNames() {}

  /**
   * The DNS names of {@code extensionValue} ({@code
   * X509Certificate#getExtensionValue("2.5.29.17")}: an OCTET STRING around the GeneralNames
   * SEQUENCE), or null when the bytes are not that shape.
   */
  static @Nullable List<String> read(byte @Nullable [] extensionValue) {
    if (extensionValue == null) {
      return null;
    }
    try {
      Der octets = Der.at(extensionValue, 0);
      if (octets.tag != 0x04) {
        return null;
      }
      Der names = Der.at(extensionValue, octets.start);
      if (names.tag != 0x30 || names.end > octets.end) {
        return null;
      }
      List<String> out = new ArrayList<>();
      for (int at = names.start; at < names.end; ) {
        Der name = Der.at(extensionValue, at);
        if (name.end > names.end) {
          return null;
        }
        if (name.tag == 0x82) { // [2] IMPLICIT IA5String: dNSName
          out.add(
              new String(
                  extensionValue, name.start, name.end - name.start, StandardCharsets.US_ASCII));
        }
        at = name.end;
      }
      return out;
    } catch (IndexOutOfBoundsException | IllegalArgumentException malformed) {
      return null;
    }
  }

  /** One DER element: its tag and where its content starts and ends. */
  private record Der(int tag, int start, int end) {
    static Der at(byte[] b, int offset) {
      int tag = b[offset] & 0xff;
      int first = b[offset + 1] & 0xff;
      int length;
      int start;
      if (first < 0x80) {
        length = first;
        start = offset + 2;
      } else {
        int bytes = first & 0x7f;
        if (bytes == 0 || bytes > 3) {
          throw new IllegalArgumentException("length of " + bytes + " bytes");
        }
        length = 0;
        for (int i = 0; i < bytes; i++) {
          length = (length << 8) | (b[offset + 2 + i] & 0xff);
        }
        start = offset + 2 + bytes;
      }
      int end = start + length;
      if (end > b.length) {
        throw new IndexOutOfBoundsException(end);
      }
      return new Der(tag, start, end);
    }
  }
}
