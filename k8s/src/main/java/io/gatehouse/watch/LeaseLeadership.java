package io.gatehouse.watch;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
 * <p>Why our own and not client-java's {@code LeaderElector}: that lives in {@code
 * client-java-extended}, which the Maven repository these builds reach does not serve; this is the
 * same algorithm in about 150 lines.
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
  private final ScheduledExecutorService loop;

  // confined to the loop thread
  private String observedRecord;
  private long observedAtNanos;
  private long lastRenewNanos;
  private int failedAttempts;
  private long failingSinceNanos;
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
    try {
      boolean acquired = tryAcquireOrRenew();
      reachable();
      if (acquired) {
        lastRenewNanos = System.nanoTime();
        set(true);
        return;
      }
      set(false);
    } catch (ApiException | RuntimeException e) {
      unreachable(e);
    }
    if (leader && System.nanoTime() - lastRenewNanos > renewDeadline.toNanos()) {
      set(false);
    }
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

  private boolean tryAcquireOrRenew() throws ApiException {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    V1Lease lease;
    try {
      lease = api.readNamespacedLease(name, namespace).execute();
    } catch (ApiException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      return create(now);
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
      api.replaceNamespacedLease(name, namespace, lease).execute();
      return true;
    } catch (ApiException e) {
      if (e.getCode() == 409) {
        return false; // someone else wrote first
      }
      throw e;
    }
  }

  private boolean create(OffsetDateTime now) throws ApiException {
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
      api.createNamespacedLease(namespace, lease).execute();
      return true;
    } catch (ApiException e) {
      if (e.getCode() == 409) {
        return false;
      }
      throw e;
    }
  }

  private void set(boolean now) {
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
    if (leader) {
      leader = false;
      try {
        V1Lease lease = api.readNamespacedLease(name, namespace).execute();
        if (lease.getSpec() != null && identity.equals(lease.getSpec().getHolderIdentity())) {
          lease.getSpec().holderIdentity(null).renewTime(null).acquireTime(null);
          api.replaceNamespacedLease(name, namespace, lease).execute();
        }
      } catch (ApiException e) {
        LOG.atWarn().setMessage("releasing the lease failed; it expires by itself").log();
      }
      onChange.accept(false);
    }
  }
}
