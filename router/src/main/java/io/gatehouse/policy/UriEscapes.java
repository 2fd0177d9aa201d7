package io.gatehouse.policy;

import java.nio.charset.StandardCharsets;

/** Percent-encoding as nginx's {@code set_escape_uri} (its {@code $escaped_*} variables) does. */
final class UriEscapes {
  private UriEscapes() {}

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** Every byte of {@code s} (UTF-8) but the RFC 3986 unreserved characters as {@code %XX}. */
  static String unreserved(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder b = new StringBuilder(bytes.length + bytes.length / 8 + 16);
    for (byte x : bytes) {
      int c = x & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        b.append((char) c);
      } else {
        b.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return b.toString();
  }
}
