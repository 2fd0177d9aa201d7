package io.gatehouse.upstream;

import io.gatehouse.endpoint.EndpointSet;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.backend.CookieAffinity;
import io.gatehouse.model.backend.HashOn;
import io.gatehouse.model.backend.LoadBalancing;
import io.gatehouse.snapshot.CanaryMatcher;
import io.gatehouse.snapshot.CompiledRoute;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Picks the endpoint of one request among a backend's endpoints, by the backend's {@link
 * LoadBalancing} policy. One instance per event loop, slot and policy ({@link Balancers}), so no
 * synchronisation.
 *
 * <p>Algorithms, all hand-written for the event loop (no allocation, no lock, no map per pick):
 *
 * <ul>
 *   <li>{@code ROUND_ROBIN}: smooth weighted round robin (nginx's): over any window of sum(weights)
 *       picks each endpoint is chosen in proportion to its weight, interleaved. A fresh balancer
 *       starts at a random point of the rotation (as Envoy's round robin does per worker): a random
 *       rotation of the endpoint order plus a random number of picks played ahead, a state the
 *       algorithm reaches from zero, so every window stays exact.
 *   <li>{@code LEAST_REQUEST}: the endpoint with the fewest requests in flight from this event loop
 *       per unit of weight ({@code inFlight / weight}), ties drawn at random by weight. A full
 *       scan, not Envoy's two random choices: an endpoint stalled with requests in flight gets
 *       nothing new while another is idle, and an idle backend still spreads by weight.
 *   <li>{@code POWER_OF_TWO}: two distinct endpoints drawn at random by weight, the one with fewer
 *       requests in flight (the first on a tie).
 *   <li>{@code PEAK_EWMA}: Finagle's and Linkerd's: of two draws, the lower {@code cost * (inFlight
 *       + 1)}, where cost is the response-head latency averaged with decay {@link
 *       #EWMA_DECAY_NANOS} that jumps to a peak at once; an endpoint with no latency yet and a
 *       request in flight is penalised, so a new endpoint is probed by one request at a time.
 *   <li>{@code RING_HASH} ({@link HashRing}) and {@code MAGLEV} ({@link MaglevTable}) on the
 *       request's {@link HashOn} key; a request without the key takes the round-robin pick.
 * </ul>
 *
 * <p>Cookie affinity ({@link CookieAffinity}) comes first: a request whose cookie names an endpoint
 * that can take it goes there; otherwise the algorithm picks, and {@link #setCookie} says what the
 * answer hands out. Slow start (round robin and least request): an endpoint that appeared after the
 * balancer's first set, or came back available, starts at {@link #SLOW_START_MIN_FRACTION} of its
 * weight and ramps linearly to the whole over the window.
 *
 * <p>Availability: endpoints the node's {@link Availability} refuses are skipped, unless fewer than
 * the policy's panic threshold are available (then all are used, Envoy's panic mode). The available
 * set is recomputed only when {@link Availability#version()} moved: one volatile read per pick.
 *
 * <p>Accounting: {@link #started} when an attempt takes the endpoint, {@link #responded} at the
 * response head (the latency peak EWMA learns), {@link #finished} exactly once when the attempt
 * ends. The counters are the endpoints' {@link EndpointLoad}, carried across endpoint changes.
 */
public final class Balancer {
  /** Bound on endpoint visits spent playing ahead, so a large backend builds in O(n) time. */
  private static final int START_BUDGET = 1 << 16;

  /**
   * Peak EWMA's decay time: how fast an old latency is forgotten. Finagle's and Linkerd's default
   * (10 s): long enough to smooth one slow answer, short enough to try a recovered endpoint again
   * within seconds.
   */
  public static final long EWMA_DECAY_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** Finagle's penalty for an endpoint with requests in flight and no latency learnt yet. */
  static final double EWMA_PENALTY = Long.MAX_VALUE >> 16;

  /** Slow start's first share of the weight: Envoy's {@code min_weight_percent} default, 10 %. */
  public static final double SLOW_START_MIN_FRACTION = 0.1;

  /** Weights are scaled by this under slow start, so a ramped weight keeps its fraction. */
  private static final int RAMP_SCALE = 100;

  private static final int RR = 0;
  private static final int LEAST = 1;
  private static final int TWO = 2;
  private static final int EWMA = 3;
  private static final int RING = 4;
  private static final int MAGLEV = 5;

  /**
   * The calling thread's random numbers. Not {@code ThreadLocalRandom.current()} kept in a field:
   * used from a thread that never called {@code current()} it repeats the same numbers.
   */
  static final RandomGenerator THREAD_RANDOM = () -> ThreadLocalRandom.current().nextLong();

  static final LongSupplier SYSTEM_CLOCK = System::nanoTime;

  private static final BalancerOptions NO_OPTIONS =
      new BalancerOptions(Availability.ALL, AffinityCookies.withKey(new byte[16]));

  /**
   * No endpoint: for a request whose slot no longer holds its key's set, or whose split has no
   * backend to take it (answered 503).
   */
  public static final Balancer EMPTY =
      new Balancer(
          null,
          List.of(),
          List.of(),
          LoadBalancing.DEFAULT,
          NO_OPTIONS,
          THREAD_RANDOM,
          SYSTEM_CLOCK);

  /** The set this balancer was built for, or null for a fixed list (the default backend). */
  private final @Nullable EndpointSet set;

  private final LoadBalancing policy;

  /** The policy object {@link Balancers} last found this balancer by (compared by identity). */
  LoadBalancing boundPolicy;

  private final int kind;
  private final Availability availability;
  private final AffinityCookies cookies;
  private final RandomGenerator random;
  private final LongSupplier clock;

  private final Endpoint[] endpoints;
  private final EndpointLoad[] loads;
  private final int[] weights;
  private final long[] current;
  private final long total;

  /** {@code endpoints[i]} is the live endpoint {@code (i + rotation) % n} in sorted order. */
  private final int rotation;

  // Availability, recomputed when the version moves.
  private long seenVersion;
  private final boolean[] usable;
  private int usableCount;
  private boolean allUsable;
  private final int panicPercent;

  // Weighted draws (two choices, peak EWMA): prefix sums of the usable endpoints' weights.
  private final int[] usableIndex;
  private final long[] prefix;
  private final int[] positionOf;

  // Slow start.
  private final long slowStartNanos;
  private boolean ramping;

  // Consistent hashing.
  private final @Nullable HashOn hashOn;
  private final @Nullable String hashName;
  private final @Nullable HashRing ring;
  private @Nullable MaglevTable maglev;
  private final int maglevSize;

  // Affinity.
  private final @Nullable CookieAffinity affinity;
  private final Map<String, Integer> byCookie;
  private @Nullable EndpointLoad lastPinned;

  /** A round-robin balancer over a fixed list that starts at a random point of the rotation. */
  public Balancer(List<Endpoint> endpoints) {
    this(endpoints, THREAD_RANDOM);
  }

  /** As {@link #Balancer(List)}, with the random start from {@code start} (seeded in tests). */
  public Balancer(List<Endpoint> endpoints, RandomGenerator start) {
    this(null, endpoints, List.of(), LoadBalancing.DEFAULT, NO_OPTIONS, start, SYSTEM_CLOCK);
  }

  /** A round-robin balancer over {@code set} whose random start comes from {@code start}. */
  public Balancer(EndpointSet set, RandomGenerator start) {
    this(set, set.endpoints(), List.of(), LoadBalancing.DEFAULT, NO_OPTIONS, start, SYSTEM_CLOCK);
  }

  /** A balancer over a fixed list (the default backend) with {@code policy}. */
  public static Balancer fixed(
      List<Endpoint> endpoints, LoadBalancing policy, BalancerOptions options) {
    return new Balancer(null, endpoints, List.of(), policy, options, THREAD_RANDOM, SYSTEM_CLOCK);
  }

  /**
   * A balancer over {@code set} with {@code policy}; {@code donors} (balancers of the same slot,
   * the one with the same policy first) hand over their state: the first keeps its round-robin
   * rotation for the endpoints both have, and every endpoint any of them has keeps its {@link
   * EndpointLoad}. With no donor the rotation starts at random and nothing ramps up.
   */
  static Balancer forSet(
      EndpointSet set,
      LoadBalancing policy,
      List<Balancer> donors,
      BalancerOptions options,
      RandomGenerator random,
      LongSupplier clock) {
    return new Balancer(set, set.endpoints(), donors, policy, options, random, clock);
  }

  private Balancer(
      @Nullable EndpointSet set,
      List<Endpoint> all,
      List<Balancer> donors,
      LoadBalancing policy,
      BalancerOptions options,
      RandomGenerator random,
      LongSupplier clock) {
    this.set = set;
    this.policy = policy;
    this.boundPolicy = policy;
    this.kind = kindOf(policy.algorithm());
    this.availability = options.availability();
    this.cookies = options.cookies();
    this.random = random;
    this.clock = clock;
    Duration slow = policy.slowStart();
    long window = slow == null ? 0 : slow.toNanos();
    this.slowStartNanos = kind == RR || kind == LEAST ? Math.max(0, window) : 0;
    this.panicPercent = policy.panicThresholdPercent();
    List<Endpoint> live = all.stream().filter(e -> e.weight() > 0).toList();
    int n = live.size();
    this.endpoints = new Endpoint[n];
    this.weights = new int[n];
    this.current = new long[n];
    this.loads = new EndpointLoad[n];
    this.usable = new boolean[n];
    this.usableIndex = new int[n];
    this.prefix = new long[n];
    this.positionOf = new int[n];
    Balancer same = donors.isEmpty() || !donors.get(0).policy.equals(policy) ? null : donors.get(0);
    long[] carriedCurrent = new long[n];
    EndpointLoad[] carriedLoads = new EndpointLoad[n];
    int carried = same == null ? 0 : carry(live, same, carriedCurrent, null);
    for (Balancer d : donors) {
      carry(live, d, null, carriedLoads);
    }
    boolean randomStart = carried == 0 && n > 1;
    int r = randomStart ? random.nextInt(n) : 0;
    this.rotation = r;
    long now = slowStartNanos > 0 ? clock.getAsLong() : 0;
    long sum = 0;
    for (int i = 0; i < n; i++) {
      int k = (i + r) % n;
      Endpoint e = live.get(k);
      endpoints[i] = e;
      weights[i] = slowStartNanos > 0 ? e.weight() * RAMP_SCALE : e.weight();
      current[i] = carriedCurrent[k];
      EndpointLoad l = carriedLoads[k];
      if (l == null) {
        l = new EndpointLoad(e);
        if (!donors.isEmpty() && slowStartNanos > 0) {
          l.since = now; // new to a backend this loop already served: ramp up
        }
      } else {
        l.endpoint = e;
      }
      loads[i] = l;
      sum += weights[i];
    }
    this.total = sum;
    if (randomStart) {
      int ahead = random.nextInt((int) Math.min(total, Math.max(1, START_BUDGET / n)));
      for (int k = 0; k < ahead; k++) {
        step();
      }
    }
    HashOn on = policy.algorithm().hashes() ? policy.hashOn() : null;
    this.hashOn = on;
    String name = on == null ? null : on.name();
    boolean header = on != null && on.source() == HashOn.Source.HEADER;
    this.hashName = name != null && header ? name.toLowerCase(Locale.ROOT) : name;
    this.maglevSize = MaglevTable.DEFAULT_SIZE;
    this.ring = kind == RING && on != null && n > 0 ? buildRing() : null;
    this.affinity = policy.affinity();
    this.byCookie = affinity == null ? Map.of() : cookieIndex();
    recompute(availability.version());
  }

  private static int kindOf(LoadBalancing.Algorithm a) {
    return switch (a) {
      case ROUND_ROBIN -> RR;
      case LEAST_REQUEST -> LEAST;
      case POWER_OF_TWO -> TWO;
      case PEAK_EWMA -> EWMA;
      case RING_HASH -> RING;
      case MAGLEV -> MAGLEV;
    };
  }

  /**
   * Copies from {@code previous} the state of every endpoint of {@code live} (sorted) it also has,
   * matched by host and port: its rotation into {@code currentInto} and its load into {@code
   * loadsInto} (where still null), either may be null; returns how many matched. Both lists are
   * walked in sorted order, O(n + m): only a balancer built for a set (sorted) gives state.
   */
  private static int carry(
      List<Endpoint> live,
      Balancer previous,
      long @Nullable [] currentInto,
      EndpointLoad @Nullable [] loadsInto) {
    if (previous.set == null) {
      return 0;
    }
    Endpoint[] old = previous.endpoints;
    int m = old.length;
    int carried = 0;
    int i = 0;
    int j = 0;
    while (i < live.size() && j < m) {
      int k = (j + m - previous.rotation) % m; // the j-th of previous in sorted order
      Endpoint a = live.get(i);
      int c = -previous.loads[k].compareTo(a);
      if (c == 0) {
        if (currentInto != null) {
          currentInto[i] = previous.current[k];
        }
        if (loadsInto != null && loadsInto[i] == null) {
          loadsInto[i] = previous.loads[k];
        }
        i++;
        j++;
        carried++;
      } else if (c < 0) {
        i++;
      } else {
        j++;
      }
    }
    return carried;
  }

  /** The index of the k-th endpoint in sorted order. */
  private int indexOfSorted(int k) {
    int n = endpoints.length;
    return (k - rotation % n + n) % n;
  }

  private HashRing buildRing() {
    int n = endpoints.length;
    long[] hashes = new long[n];
    int[] w = new int[n];
    int[] owner = new int[n];
    for (int k = 0; k < n; k++) {
      int i = indexOfSorted(k);
      hashes[k] = loads[i].hash;
      w[k] = endpoints[i].weight();
      owner[k] = i;
    }
    return HashRing.build(hashes, w, owner);
  }

  private void buildMaglev() {
    int n = endpoints.length;
    int m = 0;
    long[] hashes = new long[usableCount];
    int[] w = new int[usableCount];
    int[] owner = new int[usableCount];
    for (int k = 0; k < n; k++) {
      int i = indexOfSorted(k);
      if (usable[i]) {
        hashes[m] = loads[i].hash;
        w[m] = endpoints[i].weight();
        owner[m++] = i;
      }
    }
    maglev = m == 0 ? null : MaglevTable.build(maglevSize, hashes, w, owner);
  }

  private Map<String, Integer> cookieIndex() {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < loads.length; i++) {
      EndpointLoad l = loads[i];
      if (l.affinityValue == null) {
        l.affinityValue = cookies.value(l.endpoint);
      }
      m.put(l.affinityValue, i);
    }
    return m;
  }

  /** The available set for availability {@code version}, with the panic threshold applied. */
  private void recompute(long version) {
    seenVersion = version;
    int n = endpoints.length;
    long now = slowStartNanos > 0 ? clock.getAsLong() : 0;
    int available = 0;
    for (int i = 0; i < n; i++) {
      boolean a = availability.available(endpoints[i]);
      EndpointLoad l = loads[i];
      if (a && !l.available && slowStartNanos > 0) {
        l.since = now; // back from an ejection or a failed check: ramp up again
      }
      l.available = a;
      usable[i] = a;
      available += a ? 1 : 0;
    }
    boolean panic = panicPercent > 0 && (long) available * 100 < (long) panicPercent * n;
    if (panic) {
      java.util.Arrays.fill(usable, true);
      available = n;
    }
    usableCount = available;
    allUsable = available == n;
    if (slowStartNanos > 0) {
      ramping = false;
      for (EndpointLoad l : loads) {
        ramping |= l.since != EndpointLoad.NOT_RAMPING && now - l.since < slowStartNanos;
      }
    }
    if (kind == TWO || kind == EWMA) {
      long s = 0;
      int m = 0;
      for (int i = 0; i < n; i++) {
        if (usable[i]) {
          s += weights[i];
          usableIndex[m] = i;
          prefix[m] = s;
          positionOf[i] = m++;
        }
      }
    }
    if (kind == MAGLEV && hashOn != null) {
      buildMaglev();
    }
  }

  /**
   * A round-robin balancer for {@code next} (the same key with other endpoints) that keeps the
   * rotation of the endpoints both have, so an endpoint change does not restart the whole rotation.
   */
  public Balancer withEndpoints(EndpointSet next) {
    return withEndpoints(next, THREAD_RANDOM);
  }

  /** As {@link #withEndpoints(EndpointSet)}, with the random start (if any) from {@code start}. */
  public Balancer withEndpoints(EndpointSet next, RandomGenerator start) {
    return new Balancer(
        next,
        next.endpoints(),
        List.of(this),
        policy,
        new BalancerOptions(availability, cookies),
        start,
        clock);
  }

  /** The set this balancer serves (compared by identity), or null for a fixed list. */
  public @Nullable EndpointSet set() {
    return set;
  }

  /** The policy this balancer applies. */
  public LoadBalancing policy() {
    return policy;
  }

  /** The rotation state of {@code e} (matched by host and port), or null if it is not live. */
  @Nullable Long current(Endpoint e) {
    int i = indexOf(e);
    return i < 0 ? null : current[i];
  }

  /** The load of {@code e} (matched by host and port) on this loop, or null if it is not live. */
  public @Nullable EndpointLoad loadOf(Endpoint e) {
    int i = indexOf(e);
    return i < 0 ? null : loads[i];
  }

  private int indexOf(Endpoint e) {
    for (int i = 0; i < loads.length; i++) {
      if (loads[i].sameAddress(e)) {
        return i;
      }
    }
    return -1;
  }

  /** Number of endpoints that can take requests (weight above 0), available or not. */
  public int size() {
    return endpoints.length;
  }

  /**
   * Whether a pick can find an endpoint now: one above weight 0 that is available, or any in panic
   * mode. A split passes over a target without one, as over a target without endpoints.
   */
  public boolean canPick() {
    if (endpoints.length == 0) {
      return false;
    }
    long v = availability.version();
    if (v != seenVersion) {
      recompute(v);
    }
    return usableCount > 0;
  }

  // ---------------------------------------------------------------- picks

  /** The next endpoint for a request the balancer cannot read, or null when none can take it. */
  public @Nullable Endpoint next() {
    int i = choose(null, -1);
    return i < 0 ? null : endpoints[i];
  }

  /**
   * The next endpoint other than {@code avoid} (by host and port) when another can take the request
   * (for a retry after a connect failure); {@code avoid} itself when it is the only one; null when
   * none can take requests.
   */
  public @Nullable Endpoint next(@Nullable Endpoint avoid) {
    int i = choose(null, avoid == null ? -1 : indexOf(avoid));
    return i < 0 ? null : endpoints[i];
  }

  /**
   * The endpoint for {@code request} (its affinity cookie, then the algorithm), or null when none
   * can take it. {@link #pinned()} then says which endpoint its cookie named.
   */
  public @Nullable EndpointLoad pick(PickRequest request) {
    int i = choose(request, -1);
    return i < 0 ? null : loads[i];
  }

  /**
   * The endpoint the affinity cookie of the last {@link #pick} named (whether or not it took the
   * request), or null: no affinity, no cookie, or one that names no endpoint of this balancer.
   */
  public @Nullable EndpointLoad pinned() {
    return lastPinned;
  }

  private int choose(@Nullable PickRequest request, int skip) {
    int n = endpoints.length;
    if (n == 0) {
      return -1;
    }
    long v = availability.version();
    if (v != seenVersion) {
      recompute(v);
    }
    if (kind == RR && affinity == null) {
      return roundRobin(skip); // the default policy: nothing else to look at
    }
    CookieAffinity a = affinity;
    if (a != null) {
      lastPinned = null;
      if (request != null && skip < 0 && usableCount > 0) {
        String value = CanaryMatcher.cookieValue(request.cookieFields(), a.name());
        Integer i = value == null ? null : byCookie.get(value);
        if (i != null) {
          lastPinned = loads[i];
          if (usable[i]) {
            return i;
          }
        }
      }
    }
    return switch (kind) {
      case LEAST -> leastRequest(skip);
      case TWO -> twoChoices(skip, false);
      case EWMA -> twoChoices(skip, true);
      case RING, MAGLEV -> hashed(request, skip);
      default -> roundRobin(skip);
    };
  }

  /** Smooth weighted round robin over the usable endpoints, not {@code skip} (-1: none). */
  private int roundRobin(int skip) {
    int n = endpoints.length;
    if (skip < 0 && allUsable && !ramping) {
      if (n == 1) {
        return 0;
      }
      return step();
    }
    if (usableCount == 0) {
      return -1;
    }
    long now = ramping ? clock.getAsLong() : 0;
    boolean stillRamping = false;
    int best = -1;
    long sum = 0;
    for (int i = 0; i < n; i++) {
      if (!usable[i] || i == skip) {
        continue;
      }
      long w = weights[i];
      if (ramping) {
        long ramped = rampedWeight(i, now);
        stillRamping |= ramped != w;
        w = ramped;
      }
      current[i] += w;
      sum += w;
      if (best < 0 || current[i] > current[best]) {
        best = i;
      }
    }
    ramping = stillRamping;
    if (best < 0) {
      return skip >= 0 && usable[skip] ? skip : -1; // the avoided endpoint is the only one
    }
    current[best] -= sum;
    return best;
  }

  /** One step of the rotation over every endpoint at its whole weight. */
  private int step() {
    int best = -1;
    for (int i = 0; i < endpoints.length; i++) {
      current[i] += weights[i];
      if (best < 0 || current[i] > current[best]) {
        best = i;
      }
    }
    current[best] -= total;
    return best;
  }

  /** The weight of endpoint {@code i} at {@code now} under slow start. */
  private long rampedWeight(int i, long now) {
    long since = loads[i].since;
    if (since == EndpointLoad.NOT_RAMPING) {
      return weights[i];
    }
    long elapsed = now - since;
    if (elapsed >= slowStartNanos) {
      loads[i].since = EndpointLoad.NOT_RAMPING;
      return weights[i];
    }
    double f = Math.max(SLOW_START_MIN_FRACTION, (double) Math.max(0, elapsed) / slowStartNanos);
    return Math.max(1, (long) (weights[i] * f));
  }

  /**
   * The usable endpoint (not {@code skip}) with the fewest in flight per weight; ties by weight.
   */
  private int leastRequest(int skip) {
    int n = endpoints.length;
    long now = ramping ? clock.getAsLong() : 0;
    boolean stillRamping = false;
    long bestLoad = -1;
    long bestWeight = 1;
    long ties = 0;
    for (int i = 0; i < n; i++) {
      if (!usable[i] || i == skip) {
        continue;
      }
      long w = weights[i];
      if (ramping) {
        long ramped = rampedWeight(i, now);
        stillRamping |= ramped != w;
        w = ramped;
      }
      long a = loads[i].inFlight;
      long lhs = a * bestWeight;
      long rhs = bestLoad * w;
      if (bestLoad < 0 || lhs < rhs) {
        bestLoad = a;
        bestWeight = w;
        ties = w;
      } else if (lhs == rhs) {
        ties += w;
      }
    }
    if (bestLoad < 0) {
      ramping = stillRamping;
      return skip >= 0 && usable[skip] ? skip : -1;
    }
    long r = random.nextLong(ties);
    int last = -1;
    for (int i = 0; i < n; i++) {
      if (!usable[i] || i == skip) {
        continue;
      }
      long w = ramping ? rampedWeight(i, now) : weights[i];
      if (loads[i].inFlight * bestWeight == bestLoad * w) {
        last = i;
        r -= w;
        if (r < 0) {
          break;
        }
      }
    }
    ramping = stillRamping;
    return last;
  }

  /** Two distinct usable endpoints (not {@code skip}) drawn by weight; the less loaded. */
  private int twoChoices(int skip, boolean ewma) {
    boolean skipUsable = skip >= 0 && usable[skip];
    int k = usableCount - (skipUsable ? 1 : 0);
    if (k <= 0) {
      return skipUsable ? skip : -1;
    }
    int a = draw(skipUsable ? skip : -1, -1);
    if (k == 1) {
      return a;
    }
    int b = draw(skipUsable ? skip : -1, a);
    if (ewma) {
      long now = clock.getAsLong();
      return ewmaLoad(loads[b], now) < ewmaLoad(loads[a], now) ? b : a;
    }
    return loads[b].inFlight < loads[a].inFlight ? b : a;
  }

  /** A usable endpoint drawn by weight, neither {@code x} nor {@code y} (-1: none; usable). */
  private int draw(int x, int y) {
    long wx = x < 0 ? 0 : weights[x];
    long wy = y < 0 ? 0 : weights[y];
    long sx = x < 0 ? Long.MAX_VALUE : prefix[positionOf[x]] - wx;
    long sy = y < 0 ? Long.MAX_VALUE : prefix[positionOf[y]] - wy;
    long r = random.nextLong(prefix[usableCount - 1] - wx - wy);
    // Step over the excluded ranges, lower first.
    if (sx <= sy) {
      r += r >= sx ? wx : 0;
      r += r >= sy ? wy : 0;
    } else {
      r += r >= sy ? wy : 0;
      r += r >= sx ? wx : 0;
    }
    int lo = 0;
    int hi = usableCount - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (prefix[mid] > r) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return usableIndex[lo];
  }

  /** Finagle's peak-EWMA load of {@code l} at {@code now}: decays its cost first. */
  static double ewmaLoad(EndpointLoad l, long now) {
    observe(l, now, 0);
    if (l.cost == 0 && l.inFlight != 0) {
      return EWMA_PENALTY + l.inFlight;
    }
    return l.cost * (l.inFlight + 1);
  }

  /** Peak EWMA: a latency above the estimate replaces it; one below is averaged in with decay. */
  static void observe(EndpointLoad l, long now, double rtt) {
    long td = Math.max(now - l.stamp, 0);
    double w = Math.exp(-(double) td / EWMA_DECAY_NANOS);
    l.cost = rtt > l.cost ? rtt : l.cost * w + rtt * (1 - w);
    l.stamp = now;
  }

  /** The owner of the request's hash key (walking past unusable points), else round robin. */
  private int hashed(@Nullable PickRequest request, int skip) {
    String key = request == null ? null : hashKey(request);
    if (key == null) {
      return roundRobin(skip);
    }
    long h = KeyHash.of(key);
    HashRing r = ring;
    if (r != null) {
      int p = r.find(h);
      for (int t = 0; t < r.size(); t++) {
        int i = r.owner(p + t);
        if (usable[i] && i != skip) {
          return i;
        }
      }
      return roundRobin(skip);
    }
    MaglevTable m = maglev;
    if (m != null) {
      int i = m.owner(h);
      if (i != skip) {
        return i;
      }
    }
    return roundRobin(skip);
  }

  private @Nullable String hashKey(PickRequest request) {
    HashOn on = hashOn;
    String name = hashName;
    if (on == null) {
      return null;
    }
    return switch (on.source()) {
      case HEADER -> name == null ? null : request.header(name);
      case COOKIE -> name == null ? null : CanaryMatcher.cookieValue(request.cookieFields(), name);
      case QUERY_PARAMETER -> name == null ? null : request.queryParam(name);
      case SOURCE_ADDRESS -> request.clientAddress();
    };
  }

  // ---------------------------------------------------------------- accounting

  /**
   * An attempt takes {@code load}'s endpoint: one more in flight. Returns the time to hand to
   * {@link #responded} (0 when this policy learns no latency: no clock read).
   */
  public long started(EndpointLoad load) {
    load.inFlight++;
    return kind == EWMA ? clock.getAsLong() : 0;
  }

  /** The response head of an attempt {@link #started} at {@code since} came: peak EWMA learns. */
  public void responded(EndpointLoad load, long since) {
    if (kind == EWMA) {
      long now = clock.getAsLong();
      observe(load, now, Math.max(0, now - since));
    }
  }

  /** The attempt on {@code load} ended (whichever way): call exactly once per {@link #started}. */
  public void finished(EndpointLoad load) {
    if (load.inFlight > 0) {
      load.inFlight--;
    }
  }

  /**
   * The {@code Set-Cookie} value the answer to a request gets under this balancer's affinity, now
   * that {@code served} took it and its cookie named {@code pinned} ({@link #pinned()} after its
   * pick): none when it stayed where pinned; a new one when it had no valid cookie; when its
   * endpoint could not take it, a new one only with {@code changeOnFailure}. Null for none. The
   * cookie's path, unless the affinity names one, is {@code route}'s ({@link
   * AffinityCookies#routePath}), worked out only when a cookie is set.
   */
  public @Nullable String setCookie(
      @Nullable EndpointLoad pinned,
      EndpointLoad served,
      boolean tls,
      @Nullable CompiledRoute route) {
    CookieAffinity a = affinity;
    if (a == null || pinned == served || pinned != null && !a.changeOnFailure()) {
      return null;
    }
    String value = served.affinityValue;
    if (value == null) {
      value = cookies.value(served.endpoint);
      served.affinityValue = value;
    }
    return AffinityCookies.setCookie(a, value, tls, AffinityCookies.routePath(route));
  }

  /** The endpoints, in this balancer's order (tests). */
  List<Endpoint> endpoints() {
    return new ArrayList<>(List.of(endpoints));
  }
}
