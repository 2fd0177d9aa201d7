package io.gatehouse.snapshot;

import io.gatehouse.model.CanaryRule;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A compiled route's weighted split across its targets: the weights (by target position, divided by
 * their greatest common divisor, so 90/10 is a window of 10) and the slot of the split's rotation
 * state in each event loop's {@code SplitPicker}. The compiler keeps this object (and so each loop
 * keeps its rotation) while a recompiled route's weights stay equal, and gives a route whose
 * weights changed a new one on the same slot; loops compare by identity and restart then.
 *
 * <p>A route with one target at a weight above 0 has none: that is the fast path, with no pick.
 *
 * <p>A split may have a canary: one target with a {@link CanaryMatcher} that the request's header
 * or cookie may send it to ({@link CanaryMatcher#CANARY}) or away from ({@link CanaryMatcher#AWAY})
 * before, and instead of, the weighted pick; a request the rule leaves to the weights takes the
 * weighted pick as if there were no rule. The canary is part of the split's identity: a changed
 * rule is a new split.
 *
 * <p>A split may be sticky ({@link StickyCookies}): a request whose sticky cookie names a target
 * that is at a weight above 0 and has endpoints goes there instead of the weighted pick; it is part
 * of the split's identity too.
 */
public final class Split {
  /** The most targets a split spreads over: a pick tracks which have endpoints in one int. */
  public static final int MAX_TARGETS = 32;

  private final int slot;
  private final int[] weights;
  private final int total;
  private final int canaryIndex;
  private final @Nullable CanaryMatcher canary;
  private final @Nullable StickyCookies sticky;

  Split(int slot, int[] weights) {
    this(slot, weights, -1, null, null);
  }

  Split(int slot, int[] weights, int canaryIndex, @Nullable CanaryMatcher canary) {
    this(slot, weights, canaryIndex, canary, null);
  }

  Split(
      int slot,
      int[] weights,
      int canaryIndex,
      @Nullable CanaryMatcher canary,
      @Nullable StickyCookies sticky) {
    if (slot < 0) {
      throw new IllegalArgumentException("slot: " + slot + " (expected: >= 0)");
    }
    if (weights.length == 0 || weights.length > MAX_TARGETS) {
      throw new IllegalArgumentException(
          "weights: " + weights.length + " (expected: 1-" + MAX_TARGETS + ")");
    }
    this.slot = slot;
    int g = 0;
    for (int w : weights) {
      if (w < 0) {
        throw new IllegalArgumentException("weights: " + Arrays.toString(weights));
      }
      g = gcd(g, w);
    }
    this.weights = new int[weights.length];
    int sum = 0;
    for (int i = 0; i < weights.length; i++) {
      this.weights[i] = g == 0 ? 0 : weights[i] / g;
      sum += this.weights[i];
    }
    this.total = sum;
    if ((canary == null) != (canaryIndex < 0) || canaryIndex >= weights.length) {
      throw new IllegalArgumentException("canary: " + canaryIndex + " " + canary);
    }
    this.canaryIndex = canaryIndex;
    this.canary = canary;
    this.sticky = sticky;
  }

  /** A split over {@code weights} on {@code slot}; public for tests and benchmarks. */
  public static Split of(int slot, int... weights) {
    return new Split(slot, weights.clone());
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  /** A split over {@code weights} whose target {@code canaryIndex} has {@code canary}'s rule. */
  public static Split withCanary(int slot, int canaryIndex, CanaryMatcher canary, int... weights) {
    return new Split(slot, weights.clone(), canaryIndex, canary);
  }

  /**
   * As {@link #withCanary} (canary index -1 and a null matcher for none), with {@code sticky}
   * cookies; for tests.
   */
  public static Split sticky(
      int slot,
      int canaryIndex,
      @Nullable CanaryMatcher canary,
      @Nullable StickyCookies sticky,
      int... weights) {
    return new Split(slot, weights.clone(), canaryIndex, canary, sticky);
  }

  /** The split's sticky cookies, or null when it is not sticky. */
  public @Nullable StickyCookies sticky() {
    return sticky;
  }

  /** Whether this split has {@code other}'s sticky cookies (null: none). */
  boolean sameSticky(@Nullable StickyCookies other) {
    return sticky == null ? other == null : sticky.same(other);
  }

  /** The position of the canary target, or -1 when the split has no canary rule. */
  public int canaryIndex() {
    return canaryIndex;
  }

  /** The canary's rule, or null when the split has none. */
  public @Nullable CanaryMatcher canary() {
    return canary;
  }

  /** The slot of this split's rotation state in each event loop. */
  public int slot() {
    return slot;
  }

  /** How many targets the split spreads over (some may be at weight 0). */
  public int size() {
    return weights.length;
  }

  /** The reduced weight of target {@code i}; 0 means it gets nothing. */
  public int weight(int i) {
    return weights[i];
  }

  /** The sum of the reduced weights: the window in which the split is exact; 0 answers 503. */
  public int total() {
    return total;
  }

  /** Whether {@code raw} (unreduced, by target position) gives this split's weights. */
  boolean sameWeights(int[] raw) {
    return Arrays.equals(weights, new Split(slot, raw).weights);
  }

  /** Whether this split has the canary rule {@code rule} (null: none) on {@code index}. */
  boolean sameCanary(int index, @Nullable CanaryRule rule) {
    return canaryIndex == index
        && (canary == null ? rule == null : rule != null && canary.rule().equals(rule));
  }

  @Override
  public String toString() {
    return "Split[slot="
        + slot
        + ", weights="
        + Arrays.toString(weights)
        + (canary == null ? "" : ", canary " + canaryIndex + " " + canary.rule())
        + (sticky == null ? "" : ", " + sticky)
        + "]";
  }
}
