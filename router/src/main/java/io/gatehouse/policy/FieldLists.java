package io.gatehouse.policy;

/**
 * Comma-separated field values (RFC 9110 5.6.1) as the response policies read and extend them:
 * {@code Vary}, {@code Cache-Control}. Allocates nothing to read.
 */
final class FieldLists {
  private FieldLists() {}

  /**
   * Whether the comma-separated {@code list} holds {@code token}, case-insensitively; an item's
   * parameters ({@code =...} or {@code ;...}) are cut before comparing.
   */
  static boolean hasToken(String list, String token) {
    int i = 0;
    int len = list.length();
    while (i < len) {
      int end = list.indexOf(',', i);
      if (end < 0) {
        end = len;
      }
      int s = i;
      while (s < end && (list.charAt(s) == ' ' || list.charAt(s) == '\t')) {
        s++;
      }
      int e = s;
      while (e < end && list.charAt(e) != '=' && list.charAt(e) != ';') {
        e++;
      }
      while (e > s && (list.charAt(e - 1) == ' ' || list.charAt(e - 1) == '\t')) {
        e--;
      }
      if (e - s == token.length() && list.regionMatches(true, s, token, 0, e - s)) {
        return true;
      }
      i = end + 1;
    }
    return false;
  }

  /**
   * Adds {@code name} to the response's {@code Vary}, merged with what is there, unless it is
   * already named or {@code Vary} is {@code *}.
   */
  static void addToVary(HeaderEdits h, String name) {
    String vary = h.get("vary");
    if (vary == null || vary.isBlank()) {
      h.set("vary", name);
    } else if (!hasToken(vary, name) && !hasToken(vary, "*")) {
      h.set("vary", vary + ", " + name);
    }
  }
}
