package io.gatehouse.dashboard;

import io.gatehouse.observe.ExchangeObserver;
import io.gatehouse.observe.ExchangeView;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Requests and 5xx answers per second over the last {@link #WINDOW_SECONDS} seconds, for the
 * dashboard. Each thread that ends exchanges (an event loop) writes its own ring of per-second
 * counters, so the hot path takes no lock and shares no cache line; a read sums the rings.
 */
public final class RequestRates implements ExchangeObserver {
  public static final int WINDOW_SECONDS = 60;

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final LongSupplier nanoTime;
  private final long startSecond;
  private final List<Ring> rings = new CopyOnWriteArrayList<>();
  private final ThreadLocal<Ring> own;

  /** Rates on the system's monotonic clock. */
  public RequestRates() {
    this(System::nanoTime);
  }

  /** Rates on {@code nanoTime} (tests move it by hand). */
  public RequestRates(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.startSecond = second();
    this.own =
        ThreadLocal.withInitial(
            () -> {
              Ring r = new Ring();
              rings.add(r);
              return r;
            });
  }

  @Override
  public void ended(ExchangeView exchange) {
    own.get().add(second(), exchange.status() >= 500);
  }

  /** Counts one ended exchange; {@code serverError}: it was answered with a 5xx. */
  void record(boolean serverError) {
    own.get().add(second(), serverError);
  }

  private long second() {
    return Math.floorDiv(nanoTime.getAsLong(), NANOS_PER_SECOND);
  }

  /**
   * The last {@link #WINDOW_SECONDS} complete seconds, oldest first (the current second is still
   * counting and left out), and the averages over the seconds this node has been counting, at most
   * the window.
   */
  public Rates read() {
    long now = second();
    long[] requests = new long[WINDOW_SECONDS];
    long[] errors = new long[WINDOW_SECONDS];
    for (Ring ring : rings) {
      ring.addTo(now, requests, errors);
    }
    long covered = Math.max(1, Math.min(WINDOW_SECONDS, now - startSecond));
    long totalRequests = 0;
    long totalErrors = 0;
    for (int i = 0; i < WINDOW_SECONDS; i++) {
      totalRequests += requests[i];
      totalErrors += errors[i];
    }
    return new Rates(
        (double) totalRequests / covered,
        (double) totalErrors / covered,
        (int) covered,
        requests,
        errors);
  }

  /**
   * @param requestsPerSecond the mean over {@code seconds}
   * @param errorsPerSecond 5xx answers per second, the mean over {@code seconds}
   * @param seconds how many complete seconds the means cover (fewer than the window after a start)
   * @param requests per second, oldest first, {@link #WINDOW_SECONDS} long
   * @param errors per second, oldest first, {@link #WINDOW_SECONDS} long
   */
  public record Rates(
      double requestsPerSecond,
      double errorsPerSecond,
      int seconds,
      long[] requests,
      long[] errors) {}

  /**
   * One writer's counters: slot {@code s mod WINDOW} holds second {@code s}. The writer clears a
   * slot before it stamps it with a new second; a reader checks the stamp before and after reading
   * the counts, so it never adds a recycled slot's counts to the wrong second.
   */
  private static final class Ring {
    private final AtomicLongArray stamps = new AtomicLongArray(WINDOW_SECONDS);
    private final AtomicLongArray requests = new AtomicLongArray(WINDOW_SECONDS);
    private final AtomicLongArray errors = new AtomicLongArray(WINDOW_SECONDS);

    Ring() {
      for (int i = 0; i < WINDOW_SECONDS; i++) {
        stamps.setPlain(i, Long.MIN_VALUE);
      }
    }

    /** Only the owning thread calls this: plain reads of its own writes, release writes. */
    void add(long second, boolean error) {
      int i = (int) Math.floorMod(second, (long) WINDOW_SECONDS);
      if (stamps.getPlain(i) != second) {
        // unstamped first: a reader that sees a cleared count then sees no old stamp either
        stamps.setRelease(i, Long.MIN_VALUE);
        requests.setRelease(i, 0);
        errors.setRelease(i, 0);
        stamps.setRelease(i, second);
      }
      requests.setRelease(i, requests.getPlain(i) + 1);
      if (error) {
        errors.setRelease(i, errors.getPlain(i) + 1);
      }
    }

    /** Adds the complete seconds before {@code now} to {@code requests} and {@code errors}. */
    void addTo(long now, long[] requestsOut, long[] errorsOut) {
      for (int i = 0; i < WINDOW_SECONDS; i++) {
        long stamp = stamps.getAcquire(i);
        long age = now - stamp;
        if (stamp == Long.MIN_VALUE || age < 1 || age > WINDOW_SECONDS) {
          continue;
        }
        long r = requests.getAcquire(i);
        long e = errors.getAcquire(i);
        if (stamps.getAcquire(i) != stamp) {
          continue; // recycled while read: its counts belong to the current second
        }
        int at = WINDOW_SECONDS - (int) age; // age 1 (last second) is the newest, at the end
        requestsOut[at] += r;
        errorsOut[at] += e;
      }
    }
  }
}
