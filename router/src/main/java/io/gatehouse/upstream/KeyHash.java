package io.gatehouse.upstream;

/**
 * The 64-bit hash of consistent hashing: FNV-1a over the string's UTF-16 code units, finished with
 * MurmurHash3's {@code fmix64}. Hand-written rather than xxHash or Murmur from a library: it hashes
 * a {@code String} without encoding it to bytes (no allocation per request), it is the same on
 * every JVM, event loop and node (a key maps to one endpoint everywhere; {@code String.hashCode}
 * would too, but has 32 bits and spreads similar keys poorly), and the finaliser gives FNV's weak
 * low bits full avalanche. Not a defence against chosen keys: a client picking its key picks only
 * its own endpoint.
 */
final class KeyHash {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private KeyHash() {}

  static long of(String s) {
    long h = FNV_OFFSET;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= FNV_PRIME;
    }
    return fmix64(h ^ s.length());
  }

  /** MurmurHash3's 64-bit finaliser: every input bit flips about half of the output bits. */
  static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
