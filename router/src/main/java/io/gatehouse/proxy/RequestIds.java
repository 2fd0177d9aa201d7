package io.gatehouse.proxy;

import io.gatehouse.fallback.ErrorPages;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/** X-Request-Id: a client's id is passed through when it is sane, otherwise one is generated. */
final class RequestIds {
  static final int MAX_LENGTH = 128;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  static String acceptOrGenerate(@Nullable String incoming) {
    return incoming != null && isAcceptable(incoming) ? incoming : generate();
  }

  static boolean isAcceptable(@Nullable String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      if (!ErrorPages.isRequestIdChar(id.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** 128 random bits as 32 hex characters; unique enough to correlate logs, not a secret. */
  static String generate() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] out = new char[32];
    long hi = r.nextLong();
    long lo = r.nextLong();
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (hi >>> (60 - 4 * i)) & 0xf];
      out[16 + i] = HEX[(int) (lo >>> (60 - 4 * i)) & 0xf];
    }
    return new String(out);
  }
}
