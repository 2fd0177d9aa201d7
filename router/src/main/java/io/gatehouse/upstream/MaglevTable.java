package io.gatehouse.upstream;

/**
 * Google's Maglev lookup table (Eisenbud et al., NSDI 2016, section 3.4): every endpoint walks its
 * own permutation of the {@value #DEFAULT_SIZE} slots (offset and skip from its host:port hash) and
 * the endpoints take turns claiming their next free slot until the table is full. A key goes to the
 * owner of slot {@code hash mod size}: as even as round robin (equal weights own within one slot of
 * each other), and an endpoint change moves few keys besides the changed endpoint's. Weights as
 * Envoy's: in round {@code r} an endpoint takes a turn when {@code r * weight} reaches its next
 * target, so it owns slots in proportion to its weight.
 *
 * <p>The size is prime (the paper's condition for every skip to visit every slot) and well above
 * 100 times the number of endpoints (its condition for evenness): 65537 as Envoy's default. The
 * same endpoints in the same (sorted) order give the same table on every event loop and node. A
 * table is built on an endpoint or availability change only (about a millisecond); a lookup is one
 * array read. Owners are stored as {@code char} (128 KiB a table) below 65536 endpoints.
 */
final class MaglevTable {
  static final int DEFAULT_SIZE = 65537;

  /** The owners below 65536 endpoints, else empty. */
  private final char[] small;

  /** The owners from 65536 endpoints on, else empty. */
  private final int[] large;

  private final int size;

  private MaglevTable(char[] small, int[] large, int size) {
    this.small = small;
    this.large = large;
    this.size = size;
  }

  /**
   * The table of {@code size} (a prime) over the endpoints with {@code hashes} and {@code weights}
   * (both in sorted endpoint order, only those that take part, at least one); {@code ownerOf[k]} is
   * the caller's index of the k-th.
   */
  static MaglevTable build(int size, long[] hashes, int[] weights, int[] ownerOf) {
    int n = hashes.length;
    long[] offset = new long[n];
    long[] skip = new long[n];
    long[] next = new long[n];
    long[] target = new long[n];
    long max = 1;
    for (int k = 0; k < n; k++) {
      offset[k] = Long.remainderUnsigned(KeyHash.fmix64(hashes[k] ^ 0x5bd1e995L), size);
      skip[k] = Long.remainderUnsigned(KeyHash.fmix64(hashes[k] ^ 0x1b873593L), size - 1) + 1;
      max = Math.max(max, weights[k]);
    }
    int[] table = new int[size];
    java.util.Arrays.fill(table, -1);
    int filled = 0;
    for (long round = 1; filled < size; round++) {
      for (int k = 0; k < n && filled < size; k++) {
        if (round * weights[k] < target[k]) {
          continue;
        }
        target[k] += max;
        int c = (int) ((offset[k] + next[k] * skip[k]) % size);
        while (table[c] >= 0) {
          next[k]++;
          c = (int) ((offset[k] + next[k] * skip[k]) % size);
        }
        table[c] = ownerOf[k];
        next[k]++;
        filled++;
      }
    }
    if (maxOwner(ownerOf) < Character.MAX_VALUE) {
      char[] s = new char[size];
      for (int i = 0; i < size; i++) {
        s[i] = (char) table[i];
      }
      return new MaglevTable(s, new int[0], size);
    }
    return new MaglevTable(new char[0], table, size);
  }

  private static int maxOwner(int[] ownerOf) {
    int m = 0;
    for (int o : ownerOf) {
      m = Math.max(m, o);
    }
    return m;
  }

  /** The owner (the caller's endpoint index) of {@code hash}. */
  int owner(long hash) {
    int slot = (int) Long.remainderUnsigned(hash, size);
    return small.length != 0 ? small[slot] : large[slot];
  }

  int size() {
    return size;
  }
}
