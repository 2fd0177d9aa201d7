package io.gatehouse.upstream;

import java.util.Arrays;

/**
 * A consistent-hash ring in the manner of Ketama (Karger et al.): each endpoint owns points on a
 * 64-bit circle, as many as its share of the weight, and a key goes to the owner of the first point
 * at or after its hash. An endpoint's points depend only on its host:port, so removing one endpoint
 * moves only the keys it owned and adding one takes keys only for itself; the same endpoints give
 * the same ring on every event loop and node.
 *
 * <p>Hand-written: a sorted {@code long[]} and a binary search, no allocation per lookup. An
 * endpoint's points are {@code fmix64(hash(host:port) + j * golden)}: as well spread as Ketama's
 * MD5 of {@code "host:port-j"}, and no string per point. The owner's position in the sorted set is
 * packed into the point's low {@value #OWNER_BITS} bits (the hash keeps 44), so one primitive sort
 * orders points and owners together and equal points break ties the same way everywhere.
 *
 * <p>Size: {@value #POINTS_PER_ENDPOINT} points per endpoint (Ketama's 160) at equal weights, at
 * least {@value #MIN_POINTS} (Envoy's minimum ring size) and at most {@value #MAX_POINTS} in all:
 * at 10 endpoints an endpoint's share is within about 1 point of 10 %, and a rebuild (only on an
 * endpoint change, not on an availability change: an unavailable owner's keys walk on to the next
 * point) sorts at most 64 Ki longs.
 */
final class HashRing {
  static final int POINTS_PER_ENDPOINT = 160;
  static final int MIN_POINTS = 1024;
  static final int MAX_POINTS = 1 << 16;
  static final int OWNER_BITS = 20;
  private static final long OWNER_MASK = (1L << OWNER_BITS) - 1;
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private final long[] points;
  private final int[] owners;

  private HashRing(long[] points, int[] owners) {
    this.points = points;
    this.owners = owners;
  }

  /**
   * The ring of endpoints with {@code hashes} and {@code weights} (both in sorted endpoint order);
   * {@code ownerOf[k]} is the caller's index of the k-th.
   */
  static HashRing build(long[] hashes, int[] weights, int[] ownerOf) {
    int n = hashes.length;
    if (n >= (1 << OWNER_BITS)) {
      throw new IllegalArgumentException(n + " endpoints (a ring holds at most 2^20)");
    }
    long total = 0;
    for (int w : weights) {
      total += w;
    }
    long size = Math.min(MAX_POINTS, Math.max(MIN_POINTS, (long) POINTS_PER_ENDPOINT * n));
    int[] count = new int[n];
    long all = 0;
    for (int k = 0; k < n; k++) {
      count[k] = (int) Math.max(1, Math.round((double) weights[k] * size / total));
      all += count[k];
    }
    long[] p = new long[(int) all];
    int at = 0;
    for (int k = 0; k < n; k++) {
      for (int j = 0; j < count[k]; j++) {
        long h = KeyHash.fmix64(hashes[k] + (j + 1) * GOLDEN);
        p[at++] = (h & ~OWNER_MASK) | k;
      }
    }
    Arrays.sort(p);
    int[] o = new int[p.length];
    for (int i = 0; i < p.length; i++) {
      o[i] = ownerOf[(int) (p[i] & OWNER_MASK)];
    }
    return new HashRing(p, o);
  }

  int size() {
    return points.length;
  }

  /** The position of the first point at or after {@code hash}, wrapping round. */
  int find(long hash) {
    int i = Arrays.binarySearch(points, hash);
    if (i < 0) {
      i = -i - 1;
    }
    return i == points.length ? 0 : i;
  }

  /** The owner (the caller's endpoint index) of point {@code position} (taken modulo the size). */
  int owner(int position) {
    return owners[position % owners.length];
  }
}
