package io.gatehouse.k8s.watch;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.ApiResponse;
import io.kubernetes.client.openapi.apis.CoordinationV1Api;
import io.kubernetes.client.openapi.models.V1Lease;
import io.kubernetes.client.openapi.models.V1LeaseSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import okhttp3.Call;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules: the holder renews
 * every {@code retry}; another candidate takes the Lease over only when it has seen the same record
 * unchanged for a whole {@code leaseDuration} of its own clock (never by comparing timestamps
 * across machines); every write is a compare-and-swap on resourceVersion, so two candidates never
 * both win. A leader that cannot renew within {@code renewDeadline} steps down by itself, before
 * anyone else may take over ({@code renewDeadline < leaseDuration}).
 *
 * <p>The API client watches share has no read timeout, so a hung API server (connections accepted,
 * never answered) would block a renewal forever. As client-go bounds a renewal round with a context
 * that ends at the renew deadline, every Lease call here carries an okhttp call timeout that ends
 * at the renew deadline (a candidate's: {@code renewDeadline} from the attempt's start), and a
 * timer on its own thread steps the leader down at the deadline even while a call is outstanding.
 *
 * <p>Why our own and not client-java's {@code LeaderElector}: that lives in {@code
 * client-java-extended}, which the Maven repository these builds reach does not serve; this is the
 * same algorithm in one class.
 */
public final class LeaseLeadership implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseLeadership.class);

  private final CoordinationV1Api api;
  private final String namespace;
  private final String name;
  private final String identity;
  private final Duration leaseDuration;
  private final Duration renewDeadline;
  private final Duration retry;
  private final Consumer<Boolean> onChange;
  private final ApiClient client;
  private final ScheduledExecutorService loop;
  // steps down at the renew deadline while the loop thread may be blocked in a call
  private final ScheduledExecutorService deadline;

  // confined to the loop thread
  private @Nullable String observedRecord;
  private long observedAtNanos;
  private int failedAttempts;
  private long failingSinceNanos;
  // guarded by this: when the last successful renewal started, and the step-down it scheduled
  private long renewedAtNanos;
  private @Nullable ScheduledFuture<?> stepDown;
  private volatile boolean leader;

  public LeaseLeadership(
      ApiClient client,
      String namespace,
      String name,
      String identity,
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retry,
      Consumer<Boolean> onChange) {
    if (renewDeadline.compareTo(leaseDuration) >= 0 || retry.compareTo(renewDeadline) >= 0) {
      throw new IllegalArgumentException("expected retry < renewDeadline < leaseDuration");
    }
    this.client = client;
    this.api = new CoordinationV1Api(client);
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.name = Objects.requireNonNull(name, "name");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.leaseDuration = leaseDuration;
    this.renewDeadline = renewDeadline;
    this.retry = retry;
    this.onChange = onChange;
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "gatehouse-k8s-lease");
              t.setDaemon(true);
              return t;
            });
    this.deadline =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "gatehouse-k8s-lease-deadline");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Client-go's proportions for another lease duration: the renew deadline is 2/3 of it and the
   * retry period 2/15 (15 s gives 10 s and 2 s). A crashed leader is replaced between one lease and
   * one lease plus two retries after its last renewal.
   */
  public static LeaseLeadership forLease(
      ApiClient client,
      String namespace,
      String name,
      String identity,
      Duration leaseDuration,
      Consumer<Boolean> onChange) {
    return new LeaseLeadership(
        client,
        namespace,
        name,
        identity,
        leaseDuration,
        renewDeadlineFor(leaseDuration),
        retryFor(leaseDuration),
        onChange);
  }

  /** 2/3 of {@code leaseDuration}. */
  public static Duration renewDeadlineFor(Duration leaseDuration) {
    return leaseDuration.multipliedBy(2).dividedBy(3);
  }

  /** 2/15 of {@code leaseDuration}. */
  public static Duration retryFor(Duration leaseDuration) {
    return leaseDuration.multipliedBy(2).dividedBy(15);
  }

  public LeaseLeadership start() {
    loop.scheduleWithFixedDelay(this::tick, 0, retry.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  public boolean isLeader() {
    return leader;
  }

  public String identity() {
    return identity;
  }

  private void tick() {
    long startNanos = System.nanoTime();
    long endNanos = attemptEnd(startNanos);
    try {
      boolean acquired = tryAcquireOrRenew(endNanos);
      reachable();
      if (acquired) {
        renewed(startNanos);
        return;
      }
      set(false);
    } catch (ApiException | RuntimeException e) {
      unreachable(e);
    }
    stepDownIfLate();
  }

  /**
   * Where this attempt's calls must end: a leader's at its renew deadline, so a renewal still in
   * flight is cut when leadership ends; a candidate's {@code renewDeadline} after it starts (never
   * {@code leaseDuration}, which could outlast a takeover by someone else).
   */
  private synchronized long attemptEnd(long startNanos) {
    return leader ? renewedAtNanos + renewDeadline.toNanos() : startNanos + renewDeadline.toNanos();
  }

  /**
   * Counts from the start of the attempt: the Lease was written after it, so whoever waits for the
   * record to go stale waits at least until {@code start + leaseDuration}. A renewal that returns
   * after its own deadline does not make a leader: the next one will.
   */
  private synchronized void renewed(long startNanos) {
    if (deadline.isShutdown()) {
      return; // closed while this renewal was in flight
    }
    if (System.nanoTime() - startNanos >= renewDeadline.toNanos()) {
      set(false);
      return;
    }
    renewedAtNanos = startNanos;
    set(true);
    if (stepDown != null) {
      stepDown.cancel(false);
    }
    long delay = startNanos + renewDeadline.toNanos() - System.nanoTime();
    stepDown = deadline.schedule(this::stepDownIfLate, delay, TimeUnit.NANOSECONDS);
  }

  private synchronized void stepDownIfLate() {
    if (leader && System.nanoTime() - renewedAtNanos >= renewDeadline.toNanos()) {
      LOG.atWarn()
          .setMessage("lease not renewed within the renew deadline; stepping down")
          .addKeyValue("lease", namespace + "/" + name)
          .addKeyValue("renewDeadlineMs", renewDeadline.toMillis())
          .log();
      set(false);
    }
  }

  /**
   * Runs one API call with an okhttp call timeout ending at {@code endNanos}; the shared client's
   * own timeouts stay as the watches need them.
   */
  private <T> T bounded(Call call, Class<T> type, long endNanos) throws ApiException {
    long left = endNanos - System.nanoTime();
    if (left <= 0) {
      throw new ApiException("lease call not started: the renew deadline has passed");
    }
    call.timeout().timeout(left, TimeUnit.NANOSECONDS);
    ApiResponse<T> response = client.execute(call, type);
    return response.getData();
  }

  /**
   * One line when the API server stops answering and one when it answers again: an outage retries
   * every {@code retry} (5 times a second with a short Lease), which must not flood the log.
   */
  private void unreachable(Exception e) {
    if (failedAttempts++ > 0) {
      return;
    }
    failingSinceNanos = System.nanoTime();
    LOG.atWarn()
        .setMessage("lease renewal failed; retrying quietly until the API server answers")
        .addKeyValue("lease", namespace + "/" + name)
        .addKeyValue("error", describe(e))
        .log();
  }

  private void reachable() {
    if (failedAttempts == 0) {
      return;
    }
    LOG.atInfo()
        .setMessage("lease renewal reaches the API server again")
        .addKeyValue("lease", namespace + "/" + name)
        .addKeyValue("failedAttempts", failedAttempts)
        .addKeyValue("failingMs", (System.nanoTime() - failingSinceNanos) / 1_000_000)
        .log();
    failedAttempts = 0;
  }

  /** An HTTP status with the server's message, else the transport error (code 0 says nothing). */
  private static String describe(Exception e) {
    if (e instanceof ApiException a && a.getCode() != 0) {
      return a.getCode() + " " + a.getResponseBody();
    }
    return String.valueOf(e.getCause() != null ? e.getCause() : e);
  }

  private boolean tryAcquireOrRenew(long endNanos) throws ApiException {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    V1Lease lease;
    try {
      lease = read(endNanos);
    } catch (ApiException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      return create(now, endNanos);
    }
    V1LeaseSpec spec = lease.getSpec() == null ? new V1LeaseSpec() : lease.getSpec();
    String record =
        spec.getHolderIdentity() + "|" + spec.getRenewTime() + "|" + spec.getAcquireTime();
    long nowNanos = System.nanoTime();
    if (!record.equals(observedRecord)) {
      observedRecord = record;
      observedAtNanos = nowNanos;
    }
    boolean mine = identity.equals(spec.getHolderIdentity());
    boolean free =
        spec.getHolderIdentity() == null
            || spec.getHolderIdentity().isEmpty()
            || nowNanos - observedAtNanos > leaseDuration.toNanos();
    if (!mine && !free) {
      return false;
    }
    V1LeaseSpec next =
        new V1LeaseSpec()
            .holderIdentity(identity)
            .leaseDurationSeconds((int) leaseDuration.toSeconds())
            .renewTime(now)
            .acquireTime(mine && spec.getAcquireTime() != null ? spec.getAcquireTime() : now)
            .leaseTransitions(
                (spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions())
                    + (mine ? 0 : 1));
    lease.setSpec(next);
    try {
      replace(lease, endNanos);
      return true;
    } catch (ApiException e) {
      if (e.getCode() == 409) {
        return false; // someone else wrote first
      }
      throw e;
    }
  }

  private V1Lease read(long endNanos) throws ApiException {
    return bounded(
        api.readNamespacedLease(name, namespace).buildCall(null), V1Lease.class, endNanos);
  }

  private void replace(V1Lease lease, long endNanos) throws ApiException {
    bounded(
        api.replaceNamespacedLease(name, namespace, lease).buildCall(null),
        V1Lease.class,
        endNanos);
  }

  private boolean create(OffsetDateTime now, long endNanos) throws ApiException {
    V1Lease lease =
        new V1Lease()
            .metadata(new V1ObjectMeta().name(name).namespace(namespace))
            .spec(
                new V1LeaseSpec()
                    .holderIdentity(identity)
                    .leaseDurationSeconds((int) leaseDuration.toSeconds())
                    .acquireTime(now)
                    .renewTime(now)
                    .leaseTransitions(0));
    try {
      bounded(api.createNamespacedLease(namespace, lease).buildCall(null), V1Lease.class, endNanos);
      return true;
    } catch (ApiException e) {
      if (e.getCode() == 409) {
        return false;
      }
      throw e;
    }
  }

  private synchronized void set(boolean now) {
    if (leader == now) {
      return;
    }
    leader = now;
    LOG.atInfo()
        .setMessage(now ? "became leader" : "lost leadership")
        .addKeyValue("lease", namespace + "/" + name)
        .addKeyValue("identity", identity)
        .log();
    onChange.accept(now);
  }

  /** Stops renewing without releasing the Lease, as a crashed process would (failover tests). */
  void abandon() {
    loop.shutdownNow();
    deadline.shutdownNow();
    leader = false;
  }

  /** Stops renewing; a leader clears the holder so a successor need not wait out the lease. */
  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deadline.shutdownNow();
    long endNanos;
    synchronized (this) {
      if (!leader) {
        return;
      }
      leader = false;
      // releasing is worth it only while the Lease is still ours; a hung API server cannot hold
      // shutdown longer than that
      endNanos = renewedAtNanos + renewDeadline.toNanos();
    }
    try {
      V1Lease lease = read(endNanos);
      if (lease.getSpec() != null && identity.equals(lease.getSpec().getHolderIdentity())) {
        lease.getSpec().holderIdentity(null).renewTime(null).acquireTime(null);
        replace(lease, endNanos);
      }
    } catch (ApiException e) {
      LOG.atWarn().setMessage("releasing the lease failed; it expires by itself").log();
    }
    onChange.accept(false);
  }
}
