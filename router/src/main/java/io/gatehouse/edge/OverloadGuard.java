package io.gatehouse.edge;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.List;

/**
 * Sheds load with 503 while the heap stays above a ratio after garbage collection, or while an
 * event loop runs late by more than a threshold (Envoy's overload manager, reduced to two signals).
 */
public final class OverloadGuard {
  /** Thresholds read at each sample, so a reload applies from the next one on. */
  private final EdgeLimitsHolder limits;

  private final List<MemoryPoolMXBean> heapPools;
  private volatile boolean heapPressure;
  private volatile int laggingLoops;

  public OverloadGuard(double heapRatio, long maxLagNanos) {
    this(
        new EdgeLimitsHolder(
            EdgeLimits.DEFAULTS.withOverload(heapRatio, Duration.ofNanos(maxLagNanos))));
  }

  public OverloadGuard(EdgeLimitsHolder limits) {
    this.limits = limits;
    this.heapPools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            // Only the old generation: young pools (a survivor space is nearly full after every
            // young collection) say nothing about pressure.
            .filter(
                p ->
                    p.getType() == MemoryType.HEAP
                        && p.isUsageThresholdSupported()
                        && p.isCollectionUsageThresholdSupported())
            .toList();
  }

  /** Names of the heap pools watched for pressure. */
  public List<String> watchedPools() {
    return heapPools.stream().map(MemoryPoolMXBean::getName).toList();
  }

  public boolean shedding() {
    return heapPressure || laggingLoops > 0;
  }

  /** Re-reads heap occupancy after the last collection of each pool that reports it. */
  public void sampleHeap() {
    double heapRatio = limits.get().overloadHeapRatio();
    boolean pressure = false;
    for (MemoryPoolMXBean p : heapPools) {
      MemoryUsage u = p.getCollectionUsage();
      if (u != null && u.getMax() > 0 && (double) u.getUsed() / u.getMax() > heapRatio) {
        pressure = true;
      }
    }
    heapPressure = pressure;
  }

  /**
   * Consecutive late probes before a loop counts as lagging: one GC pause or JIT burst is not
   * overload.
   */
  public static final int SUSTAINED_PROBES = 3;

  /** A probe for one event loop, called only from that loop. */
  public LoopProbe newLoopProbe() {
    return new LoopProbe();
  }

  /** Tracks how late one event loop runs its periodic sweep. */
  public final class LoopProbe {
    private int late;
    private boolean lagging;

    private LoopProbe() {}

    /** Records how late the loop ran a periodic task; returns whether it now counts as lagging. */
    public boolean record(long lateByNanos) {
      late = lateByNanos > limits.get().overloadLoopLag().toNanos() ? late + 1 : 0;
      boolean now = late >= SUSTAINED_PROBES;
      if (now != lagging) {
        lagging = now;
        synchronized (OverloadGuard.this) {
          laggingLoops += now ? 1 : -1;
        }
      }
      return now;
    }
  }
}
