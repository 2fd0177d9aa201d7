package io.gatehouse.model.policy;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A token bucket per key value: {@code requests} tokens per {@code per}, holding at most {@code
 * burst}; a request takes one token or is answered 429 with {@code Retry-After} and the IETF {@code
 * RateLimit-Policy} and {@code RateLimit} headers. {@link Scope#LOCAL} keeps one bucket per node
 * (the limit multiplies with the nodes, as ingress-nginx's {@code limit-rps}); {@link Scope#GLOBAL}
 * enforces one limit across the cluster through the table's cluster (Hazelcast), with the accuracy
 * {@code docs/access-control.md} gives, and limits on this node's share of it while the node is cut
 * off from the others.
 *
 * @param name the policy's name in the {@code RateLimit-Policy} header (a token: letters, digits,
 *     {@code -_.}); null: {@code "default"}
 * @param key what the limit counts by
 * @param requests tokens added per {@code per} (at least 1)
 * @param per one second or one minute
 * @param burst the bucket's size: requests admitted at once after a quiet time (at least 1)
 * @param scope per node or per cluster
 * @param exempt client CIDRs never limited (ingress-nginx {@code limit-whitelist})
 */
public record RateLimit(
    @Nullable String name,
    LimitKey key,
    long requests,
    Duration per,
    long burst,
    Scope scope,
    List<String> exempt)
    implements PolicySpec {
  public enum Scope {
    /** One bucket per key value on each node. */
    LOCAL,
    /** One bucket per key value for the whole cluster. */
    GLOBAL
  }

  public static final Duration SECOND = Duration.ofSeconds(1);
  public static final Duration MINUTE = Duration.ofMinutes(1);

  /** ingress-nginx's {@code limit-burst-multiplier} default: burst = 5 × the rate. */
  public static final int DEFAULT_BURST_MULTIPLIER = 5;

  public RateLimit {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(per, "per");
    Objects.requireNonNull(scope, "scope");
    exempt = exempt == null ? List.of() : List.copyOf(exempt);
  }

  /** The name the headers use. */
  public String policyName() {
    return name == null ? "default" : name;
  }
}
