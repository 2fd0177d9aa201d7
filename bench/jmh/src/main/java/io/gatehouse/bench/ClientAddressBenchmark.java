package io.gatehouse.bench;

import io.gatehouse.edge.ClientAddresses;
import io.gatehouse.edge.TrustedProxies;
import io.gatehouse.policy.IpAccessFilter;
import io.gatehouse.validate.Cidrs;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ns per request of the client address and the IP rules: an {@code IpAccess} check of an IPv4 and
 * an IPv6 client against a list of 10 networks and a deny list of 2 ({@code ipv4Check}, {@code
 * ipv6Check}), and the X-Forwarded-For walk behind a trusted proxy with two trusted hops ({@code
 * realClientBehindTwoProxies}); {@code withoutForwardingHeaders} is what a request pays on a node
 * with trusted proxies when it carries none, {@code untrustedPeerSpoofing} one that sends an
 * X-Forwarded-For from a peer that is no trusted proxy.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ClientAddressBenchmark {
  @State(Scope.Benchmark)
  public static class Rules {
    final IpAccessFilter filter =
        new IpAccessFilter(
            Cidrs.parse(
                List.of(
                    "10.0.0.0/8",
                    "172.16.0.0/12",
                    "192.168.0.0/16",
                    "198.51.100.0/24",
                    "203.0.112.0/24",
                    "2001:db8:1::/48",
                    "2001:db8:2::/48",
                    "2001:db8:3::/48",
                    "fd00::/8",
                    "203.0.113.0/24")),
            Cidrs.parse(List.of("203.0.113.66", "2001:db8:3::66")));
    final TrustedProxies trusted = TrustedProxies.parse(List.of("10.0.0.0/8"));
    final String[] headers = {
      "host", "a.example", "x-forwarded-for", "6.6.6.6, 203.0.113.5, 10.1.1.1", null, null
    };
    final String[] noForwarding = {"host", "a.example", "accept", "*/*", null, null};
    final String[] spoofing = {"host", "a.example", "x-forwarded-for", "6.6.6.6", null, null};
  }

  @Benchmark
  public boolean ipv4Check(Rules r) {
    return r.filter.admits("203.0.113.5");
  }

  @Benchmark
  public boolean ipv6Check(Rules r) {
    return r.filter.admits("2001:db8:3:0:0:0:0:5");
  }

  @Benchmark
  public String realClientBehindTwoProxies(Rules r) {
    return ClientAddresses.resolve("10.0.0.1", r.trusted, r.headers);
  }

  @Benchmark
  public String withoutForwardingHeaders(Rules r) {
    return ClientAddresses.resolve("198.51.100.9", r.trusted, r.noForwarding);
  }

  @Benchmark
  public String untrustedPeerSpoofing(Rules r) {
    return ClientAddresses.resolve("198.51.100.9", r.trusted, r.spoofing);
  }
}
