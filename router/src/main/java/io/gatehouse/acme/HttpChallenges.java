package io.gatehouse.acme;

import io.gatehouse.tls.HttpsRedirects;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP-01 path ({@code /.well-known/acme-challenge/{token}}, RFC 8555 section 8.3) and its
 * answer. A path that is not a well-formed token, or a token the store does not know, gets no
 * answer here and goes on to normal routing, so a backend's own ACME client keeps working.
 */
public final class HttpChallenges {
  /** The one spelling of the path, shared with the HTTPS redirects that leave it alone. */
  public static final String PREFIX = HttpsRedirects.ACME_CHALLENGE;

  /**
   * Tokens are base64url of at least 128 bits; the bound keeps a hostile path from costing more.
   */
  static final int MAX_TOKEN_LENGTH = 256;

  private HttpChallenges() {}

  /** The token a request path names, or null when the path is not a challenge path. */
  public static @Nullable String token(@Nullable String path) {
    if (path == null || !path.startsWith(PREFIX)) {
      return null;
    }
    int n = path.length() - PREFIX.length();
    if (n == 0 || n > MAX_TOKEN_LENGTH) {
      return null;
    }
    for (int i = PREFIX.length(); i < path.length(); i++) {
      if (!isBase64Url(path.charAt(i))) {
        return null;
      }
    }
    return path.substring(PREFIX.length());
  }

  /** The key authorization to answer {@code path} with, or null to route the request as usual. */
  public static @Nullable String answer(ChallengeStore store, @Nullable String path) {
    String token = token(path);
    return token == null ? null : store.keyAuthorization(token);
  }

  private static boolean isBase64Url(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '_';
  }
}
