package io.gatehouse.upstream;

import io.gatehouse.endpoint.EndpointIndex;
import io.gatehouse.snapshot.CanaryMatcher;
import io.gatehouse.snapshot.CompiledRoute;
import io.gatehouse.snapshot.Split;
import io.gatehouse.snapshot.Target;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Picks the target of a split route: smooth weighted round robin over the targets' weights, the
 * algorithm of {@link Balancer#next}, so 90/10 is exact in every window of 10 picks and the canary
 * gets its share spread out rather than in bursts. One instance per event loop, no synchronisation,
 * and no allocation per pick: the rotation state of each split is an {@code int[]} by the split's
 * slot, made again only when the compiler hands over another {@link Split} (new weights).
 *
 * <p>A target at weight 0, or one whose endpoints cannot take a request (an empty set, or every
 * endpoint unavailable with the panic threshold off), is skipped; its share goes to the others and
 * its rotation state waits. A target that answers a fixed status ({@link Target#fixed}, an
 * unresolved backend) is live at its weight: its share is answered with that status, as Gateway API
 * asks of an invalid backend, and never moved to the others. Only the weighted pick counts it so: a
 * canary or a sticky cookie naming it falls back to the weights. When no target is left the pick is
 * null and the route answers 503. A retry after a connect failure stays on the target picked (the
 * exchange keeps its balancer), so the split holds.
 *
 * <p>A split with a canary rule is asked with the rule's verdict ({@link CanaryMatcher}): a request
 * sent to the canary takes it without a turn of the rotation, and one sent away takes a turn of a
 * second rotation over the other targets, so neither shifts the shares of the requests left to the
 * weights.
 *
 * <p>A sticky split ({@link io.gatehouse.snapshot.StickyCookies}) is asked with the target its
 * cookie pins: a request the canary rule left to the weights goes there, without a turn of the
 * rotation, while that target is at a weight above 0 and has endpoints; otherwise it takes the
 * weighted pick. Pinned requests so never shift the shares of the unpinned ones.
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
  private @Nullable Balancer picked;
  private int pickedIndex = -1;

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
  public @Nullable Target pick(CompiledRoute route, Balancers balancers, EndpointIndex index) {
    return pick(route, balancers, index, CanaryMatcher.FALL_THROUGH);
  }

  /**
   * As {@link #pick(CompiledRoute, Balancers, EndpointIndex)}, after the split's canary rule said
   * {@code choice} ({@link CanaryMatcher}). {@code CANARY} takes the canary target whatever its
   * weight, unless it has no endpoints: then, as ingress-nginx drops a canary without endpoints,
   * the request goes {@code AWAY}. {@code AWAY} picks among the other targets by their weights, on
   * a rotation of its own. Neither moves the weighted rotation, so the requests that fall through
   * get exactly the split's shares.
   */
  public @Nullable Target pick(
      CompiledRoute route, Balancers balancers, EndpointIndex index, int choice) {
    return pick(route, balancers, index, choice, -1);
  }

  /**
   * As {@link #pick(CompiledRoute, Balancers, EndpointIndex, int)}, with {@code pinned} the target
   * a sticky cookie names (-1: none). A request the rule left to the weights ({@code FALL_THROUGH})
   * takes the pinned target, without a turn of the rotation, while its weight is above 0 and it has
   * endpoints; otherwise the weights pick ({@link #pickedIndex()} then differs from {@code pinned},
   * and the caller hands out a new cookie).
   */
  public @Nullable Target pick(
      CompiledRoute route, Balancers balancers, EndpointIndex index, int choice, int pinned) {
    Split split = Objects.requireNonNull(route.split(), "a route with one target is not split");
    if (pinned >= 0
        && choice == CanaryMatcher.FALL_THROUGH
        && pinned < split.size()
        && split.weight(pinned) > 0) {
      Target t = route.targets().get(pinned);
      Balancer b = balancers.forTarget(t, index);
      if (b.canPick()) {
        picked = b;
        pickedIndex = pinned;
        return t;
      }
    }
    int canary = split.canaryIndex();
    if (canary >= 0 && choice == CanaryMatcher.CANARY) {
      Target t = route.targets().get(canary);
      Balancer b = balancers.forTarget(t, index);
      if (b.canPick()) {
        picked = b;
        pickedIndex = canary;
        return t;
      }
      choice = CanaryMatcher.AWAY;
    }
    int live = 0;
    for (int i = 0; i < split.size(); i++) {
      if (split.weight(i) > 0) {
        Target t = route.targets().get(i);
        Balancer b = balancers.forTarget(t, index);
        if (t.fixed() || b.canPick()) {
          live |= 1 << i;
          found[i] = b;
        }
      }
    }
    boolean away = canary >= 0 && choice == CanaryMatcher.AWAY;
    int i = away ? next(split, live & ~(1 << canary), split.size()) : next(split, live, 0);
    if (i < 0 && away) {
      // Every other target is at weight 0 (a canary at the whole weight): "never" still reaches
      // the first of them with endpoints, as ingress-nginx's primary takes what its canary refuses.
      for (int k = 0; k < split.size() && i < 0; k++) {
        if (k != canary) {
          Target t = route.targets().get(k);
          Balancer b = balancers.forTarget(t, index);
          if (b.canPick()) {
            found[k] = b;
            i = k;
          }
        }
      }
    }
    picked = i < 0 ? null : found[i];
    pickedIndex = i;
    return i < 0 ? null : route.targets().get(i);
  }

  /** The balancer of the target the last {@link #pick} returned (null when it returned null). */
  public @Nullable Balancer picked() {
    return picked;
  }

  /** The position of the target the last {@link #pick} returned (-1 when it returned null). */
  public int pickedIndex() {
    return pickedIndex;
  }

  /**
   * The index of the next target of {@code split} among those whose bit is set in {@code live} (and
   * whose weight is above 0), or -1 when there is none.
   */
  public int next(Split split, int live) {
    return next(split, live, 0);
  }

  /**
   * As {@link #next(Split, int)} on the rotation at {@code offset} of the split's state: 0 is the
   * weighted rotation, {@code split.size()} (a split with a canary only) the one of the requests
   * its rule sends away from the canary.
   */
  private int next(Split split, int live, int offset) {
    int[] c = state(split);
    int best = -1;
    int sum = 0;
    for (int i = 0; i < split.size(); i++) {
      int w = split.weight(i);
      if (w == 0 || (live & (1 << i)) == 0) {
        continue;
      }
      c[offset + i] += w;
      sum += w;
      if (best < 0 || c[offset + i] > c[offset + best]) {
        best = i;
      }
    }
    if (best >= 0) {
      c[offset + best] -= sum;
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
    // A split with a canary keeps a second rotation after the first: the "never" requests'.
    int[] c = new int[split.canaryIndex() < 0 ? split.size() : 2 * split.size()];
    splits[slot] = split;
    current[slot] = c;
    // A random start, as the balancer's: a state the algorithm reaches from zero, so every window
    // stays exact and the loops do not all send their first requests to the same target.
    int total = split.total();
    if (total > 1) {
      int ahead = start.nextInt(Math.min(total, START_BUDGET));
      for (int k = 0; k < ahead; k++) {
        next(split, -1, 0);
      }
      if (split.canaryIndex() >= 0) {
        for (int k = 0; k < ahead; k++) {
          next(split, ~(1 << split.canaryIndex()), split.size());
        }
      }
    }
    return c;
  }
}
