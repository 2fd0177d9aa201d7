package io.gatehouse.table;

import java.util.Objects;

/**
 * What one member tells the others about one endpoint (by host and port): an outlier ejection or an
 * active-check verdict. A notice is a fact with its own expiry, never an entry of the route table,
 * so it needs no recompile and no durability: a member that missed it meets the endpoint's next
 * notice, and an ejection ends everywhere on its own.
 *
 * @param member the id of the member that sent it
 * @param expiresEpochMillis an ejection's end on the sender's wall clock; 0 for the other kinds
 * @param durationMillis the ejection's length, so a receiver whose clock is skewed never holds it
 *     longer than that from receipt; 0 for the other kinds
 * @param reason a short word for logs and explain (e.g. {@code consecutive-5xx})
 */
public record HealthNotice(
    String member,
    Kind kind,
    String host,
    int port,
    long expiresEpochMillis,
    long durationMillis,
    String reason) {

  public enum Kind {
    /** Ejected by outlier detection until {@code expiresEpochMillis}. */
    EJECTED,
    /** The member that probes the endpoint found it healthy. */
    HEALTHY,
    /** The member that probes the endpoint found it unhealthy. */
    UNHEALTHY,
    /**
     * The sender just joined and asks the others to send what they hold (their ejections and
     * failing verdicts): notices are not stored, so this is how a new member learns them. Host,
     * port and times are empty.
     */
    SYNC
  }

  public HealthNotice {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(reason, "reason");
  }
}
