package io.gatehouse.validate;

/**
 * RFC 3986 character classes, shared by route validation and the router's request-path
 * normalisation so that configured and requested paths agree on one canonical form.
 */
public final class UriChars {
  private UriChars() {}

  /** ALPHA / DIGIT / "-" / "." / "_" / "~": never needs percent-encoding. */
  public static boolean isUnreserved(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }

  public static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
