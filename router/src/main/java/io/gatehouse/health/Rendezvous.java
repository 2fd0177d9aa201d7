package io.gatehouse.health;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Rendezvous (highest random weight) hashing: the member that probes an endpoint is the one whose
 * hash with the endpoint's {@code host:port} is highest. Every member computes the same owner from
 * the same member list, with no coordination; when a member leaves only its own endpoints move (to
 * the member that ranked second for each), and when one joins it takes about 1/n of them.
 * Hand-written: a 64-bit FNV-1a with a final mix (SplitMix64's) is all it needs.
 */
final class Rendezvous {
  private Rendezvous() {}

  /** The owner of {@code endpoint} among {@code members}, or null when there are none. */
  static String owner(List<String> members, String endpoint) {
    String best = null;
    long bestScore = 0;
    for (String m : members) {
      long score = score(m, endpoint);
      if (best == null
          || Long.compareUnsigned(score, bestScore) > 0
          || (score == bestScore && m.compareTo(best) < 0)) {
        best = m;
        bestScore = score;
      }
    }
    if (best == null) {
      throw new IllegalArgumentException("no members");
    }
    return best;
  }

  static long score(String member, String endpoint) {
    long h = 0xcbf29ce484222325L;
    h = fnv(h, member.getBytes(StandardCharsets.UTF_8));
    h = fnv(h, new byte[] {0});
    h = fnv(h, endpoint.getBytes(StandardCharsets.UTF_8));
    h ^= h >>> 30;
    h *= 0xbf58476d1ce4e5b9L;
    h ^= h >>> 27;
    h *= 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }

  private static long fnv(long h, byte[] bytes) {
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }
}
