package io.gatehouse.upstream;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.Split;
import io.gatehouse.snapshot.Target;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Picks the target of a split route: smooth weighted round robin over the targets' weights, the
 * algorithm of {@link Balancer#next}, so 90/10 is exact in every window of 10 picks and the canary
 * gets its share spread out rather than in bursts. One instance per event loop, no synchronisation,
 * and no allocation per pick: the rotation state of each split is an {@code int[]} by the split's
 * slot, made again only when the compiler hands over another {@link Split} (new weights).
 *
 * <p>A target at weight 0, or one whose endpoints cannot take a request (an empty set), is skipped;
 * its share goes to the others and its rotation state waits. When no target is left the pick is
 * null and the route answers 503. A retry after a connect failure stays on the target picked (the
 * exchange keeps its balancer), so the split holds.
 *
 * <p>Hand-written on purpose: it is ten lines of the same algorithm the balancer uses, and a
 * library pick would allocate or lock per request.
 */
public final class SplitPicker {
  /** Bound on the picks played ahead for a random start. */
  private static final int START_BUDGET = 1 << 12;

  private final RandomGenerator start;
  private Split[] splits = new Split[16];
  private int[][] current = new int[16][];
  // The live targets' balancers in the current pick (read only where its live bit is set), so the
  // exchange does not look the picked one up a second time.
  private final Balancer[] found = new Balancer[Split.MAX_TARGETS];
  private Balancer picked;

  /** New rotations start at a random point. */
  public SplitPicker() {
    this(Balancer.THREAD_RANDOM);
  }

  /** As {@link #SplitPicker()}, with the random starts from {@code start} (seeded in tests). */
  public SplitPicker(RandomGenerator start) {
    this.start = start;
  }

  /**
   * The target of {@code route} (which has a split) for the next request, or null when no target
   * has a weight and endpoints. Endpoints are asked of {@code balancers}, so "empty" means what the
   * balancer would answer: no endpoint above weight 0.
   */
  public Target pick(CompiledRoute route, Balancers balancers, EndpointIndex index) {
    Split split = route.split();
    int live = 0;
    for (int i = 0; i < split.size(); i++) {
      if (split.weight(i) > 0) {
        Target t = route.targets().get(i);
        int slot = t.slot();
        Balancer b = balancers.forSlot(slot, t.key(), index.get(slot));
        if (b.size() > 0) {
          live |= 1 << i;
          found[i] = b;
        }
      }
    }
    int i = next(split, live);
    picked = i < 0 ? null : found[i];
    return i < 0 ? null : route.targets().get(i);
  }

  /** The balancer of the target the last {@link #pick} returned (null when it returned null). */
  public Balancer picked() {
    return picked;
  }

  /**
   * The index of the next target of {@code split} among those whose bit is set in {@code live} (and
   * whose weight is above 0), or -1 when there is none.
   */
  public int next(Split split, int live) {
    int[] c = state(split);
    int best = -1;
    int sum = 0;
    for (int i = 0; i < c.length; i++) {
      int w = split.weight(i);
      if (w == 0 || (live & (1 << i)) == 0) {
        continue;
      }
      c[i] += w;
      sum += w;
      if (best < 0 || c[i] > c[best]) {
        best = i;
      }
    }
    if (best >= 0) {
      c[best] -= sum;
    }
    return best;
  }

  /** The rotation state of {@code split} on this loop: kept while the compiler keeps the split. */
  private int[] state(Split split) {
    int slot = split.slot();
    if (slot < splits.length && splits[slot] == split) {
      return current[slot];
    }
    if (slot >= splits.length) {
      int n = Math.max(slot + 1, splits.length * 2);
      splits = Arrays.copyOf(splits, n);
      current = Arrays.copyOf(current, n);
    }
    int[] c = new int[split.size()];
    splits[slot] = split;
    current[slot] = c;
    // A random start, as the balancer's: a state the algorithm reaches from zero, so every window
    // stays exact and the loops do not all send their first requests to the same target.
    int total = split.total();
    if (total > 1) {
      int ahead = start.nextInt(Math.min(total, START_BUDGET));
      for (int k = 0; k < ahead; k++) {
        next(split, -1);
      }
    }
    return c;
  }
}
