package io.gatehouse.passthrough;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the HTTPS listener's passthrough gate did, kept as totals that the node's metrics read at
 * each scrape ({@code gatehouse_passthrough_*}). Adders, not atomics: every event loop counts, and
 * the bytes are counted once per read.
 */
public final class PassthroughStats {
  /** What became of a TLS connection the gate read a ClientHello of. */
  public enum Outcome {
    /** Spliced to an endpoint of a passthrough route. */
    PASSED("passed"),
    /** Handed on to the listener's own TLS handler (a name a terminated route serves). */
    TERMINATED("terminated"),
    /** Refused with an {@code unrecognized_name} alert: no route has its SNI name. */
    REFUSED("refused"),
    /** A passthrough route without an endpoint to connect to: closed. */
    NO_ENDPOINT("no_endpoint"),
    /** The backend takes a PROXY protocol header and none could be written: closed. */
    NO_PROXY_HEADER("no_proxy_header"),
    /** Over {@code limits.maxConnections} or {@code limits.maxConnectionsPerClient}: closed. */
    OVER_LIMIT("over_limit"),
    /** No whole ClientHello within the time and size limits, or not a ClientHello: closed. */
    NO_CLIENT_HELLO("no_client_hello");

    private final String label;

    Outcome(String label) {
      this.label = label;
    }

    /** The metric's {@code outcome} label. */
    public String label() {
      return label;
    }
  }

  private final LongAdder[] outcomes = new LongAdder[Outcome.values().length];
  private final LongAdder connectFailures = new LongAdder();
  private final LongAdder open = new LongAdder();
  private final LongAdder fromClients = new LongAdder();
  private final LongAdder toClients = new LongAdder();

  public PassthroughStats() {
    for (int i = 0; i < outcomes.length; i++) {
      outcomes[i] = new LongAdder();
    }
  }

  void count(Outcome o) {
    outcomes[o.ordinal()].increment();
  }

  void connectFailed() {
    connectFailures.increment();
  }

  void opened() {
    open.increment();
  }

  void closed() {
    open.decrement();
  }

  void fromClient(long bytes) {
    fromClients.add(bytes);
  }

  void toClient(long bytes) {
    toClients.add(bytes);
  }

  public long connections(Outcome o) {
    return outcomes[o.ordinal()].sum();
  }

  /** Passed connections whose endpoint could not be reached (refused, timed out, no address). */
  public long connectFailures() {
    return connectFailures.sum();
  }

  /** Passed connections open now, from the decision to their close. */
  public long open() {
    return open.sum();
  }

  /** Bytes read from clients and written on to backends, ClientHellos included. */
  public long bytesFromClients() {
    return fromClients.sum();
  }

  /** Bytes read from backends and written on to clients. */
  public long bytesToClients() {
    return toClients.sum();
  }
}
