package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.Limits;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.model.policy.Cors;
import io.gatehouse.model.policy.RequestHeaders;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.ResponseHeaders;
import io.gatehouse.testing.TestPki;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PolicyChainTest {
  private static final int RUNS = 100_000;
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** Every stage of {@code chain}, as the proxy runs it for one proxied request; 0 = admitted. */
  private static int oneRequest(PolicyChain chain, FakeRequest r) {
    int verdict = chain.admit(r);
    if (chain.editsUpstreamRequests()) {
      chain.onUpstreamRequest(r, r);
    }
    if (chain.editsResponses()) {
      chain.onResponse(r, 200, r);
    }
    return verdict;
  }

  /**
   * Bytes this thread allocates over {@link #RUNS} requests, after as many to warm up: the fewest
   * of up to five rounds. A round can see a one-time allocation that is not the chain's (when a
   * fuzz test ran earlier in this JVM, Jazzer's agent instruments classes loaded after it, with
   * hooks on string comparisons that register once); an allocation per request shows in every
   * round, and is at least 16 bytes a request.
   */
  private static long allocatedBy(PolicyChain chain, FakeRequest r) {
    long sum = 0;
    for (int i = 0; i < RUNS; i++) {
      sum += oneRequest(chain, r);
    }
    long id = Thread.currentThread().getId();
    long fewest = Long.MAX_VALUE;
    for (int round = 0; round < 5 && fewest != 0; round++) {
      long before = THREADS.getThreadAllocatedBytes(id);
      for (int i = 0; i < RUNS; i++) {
        sum += oneRequest(chain, r);
      }
      long after = THREADS.getThreadAllocatedBytes(id);
      fewest = Math.min(fewest, after - before);
    }
    assertThat(sum).as("every request admitted").isZero();
    return fewest;
  }

  @Test
  void none_allocates_nothing() {
    assertThat(THREADS.isThreadAllocatedMemorySupported()).isTrue();
    THREADS.setThreadAllocatedMemoryEnabled(true);
    assertThat(allocatedBy(PolicyChain.NONE, FakeRequest.tls("a.example"))).isZero();
  }

  @Test
  void choosing_mirrored_requests_allocates_nothing() {
    THREADS.setThreadAllocatedMemoryEnabled(true);
    PolicyChain chain =
        PolicyCompiler.compile(
            PolicyCompilerTest.route(new Limits(0), null)
                .withPolicies(
                    List.of(
                        new RequestMirror(
                            BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", 9000))),
                            1,
                            10,
                            null,
                            true,
                            1024,
                            10))),
            null);
    FakeRequest r = FakeRequest.plain("a.example", "/");
    assertThat(allocatedBy(chain, r)).isZero();
    assertThat(r.mirrors).as("some were chosen").isEqualTo(1);
  }

  @Test
  void the_internal_filters_allocate_nothing_on_a_request_they_admit() {
    THREADS.setThreadAllocatedMemoryEnabled(true);
    TestPki ca = TestPki.ca("chain CA");
    TlsSpec tls =
        new TlsSpec(
            List.of("a.example", "*.w.example"),
            "www",
            HttpsRedirect.DEFAULT,
            Hsts.of(Duration.ofDays(365), true, true),
            ClientAuth.required(ca.caPem()));
    PolicyChain chain =
        PolicyCompiler.compile(
            PolicyCompilerTest.route(null, tls),
            ClientCertificateCheck.of(tls.clientAuth()).value());
    assertThat(chain.filters()).hasSize(4);
    // Over TLS on a wildcard host (the HSTS cover check compares in place), a declared body under
    // the limit, and a client certificate verified on the first request of the session.
    FakeRequest r = FakeRequest.tls("x.w.example", ca.client("CN=c").cert());
    r.contentLength = 1024;
    assertThat(allocatedBy(chain, r)).isZero();
    assertThat(r.editValue).isEqualTo("max-age=31536000; includeSubDomains; preload");
    assertThat(r.verdict.outcome()).isEqualTo(ClientCertificateCheck.Outcome.VERIFIED);
  }

  @Test
  void admission_runs_in_order_and_stops_at_the_first_answer() {
    List<String> ran = new ArrayList<>();
    PolicyChain chain =
        new PolicyChain(
            new AdmissionFilter[] {
              r -> {
                ran.add("first");
                return AdmissionFilter.PROCEED;
              },
              r -> {
                ran.add("second");
                return 429;
              },
              r -> {
                ran.add("third");
                return AdmissionFilter.PROCEED;
              }
            },
            new UpstreamRequestFilter[0],
            new ResponseFilter[0]);
    assertThat(chain.admit(new FakeRequest())).isEqualTo(429);
    assertThat(ran).containsExactly("first", "second");
  }

  @Test
  void upstream_and_response_filters_each_run_in_order_on_their_own_headers() {
    PolicyChain chain =
        new PolicyChain(
            new AdmissionFilter[0],
            new UpstreamRequestFilter[] {
              (r, h) -> h.set("x-up", "1"), (r, h) -> h.add("x-up", "2")
            },
            new ResponseFilter[] {(r, status, h) -> h.remove("x-down-" + status)});
    FakeRequest up = new FakeRequest();
    chain.onUpstreamRequest(up, up);
    assertThat(up.edits).isEqualTo(2);
    assertThat(up.editValue).isEqualTo("2");
    FakeRequest down = new FakeRequest();
    chain.onResponse(down, 204, down);
    assertThat(down.editName).isEqualTo("x-down-204");
    assertThat(chain.editsUpstreamRequests()).isTrue();
    assertThat(chain.editsResponses()).isTrue();
    assertThat(PolicyChain.NONE.editsUpstreamRequests()).isFalse();
    assertThat(PolicyChain.NONE.editsResponses()).isFalse();
    assertThat(PolicyChain.NONE.filters()).isEmpty();
  }

  @Test
  void a_chain_keeps_its_own_copy_of_the_filters() {
    AdmissionFilter[] filters = {r -> AdmissionFilter.PROCEED};
    PolicyChain chain =
        new PolicyChain(filters, new UpstreamRequestFilter[0], new ResponseFilter[0]);
    filters[0] = r -> 500;
    assertThat(chain.admit(new FakeRequest())).isEqualTo(AdmissionFilter.PROCEED);
  }

  @Test
  void admission_stops_at_a_suspending_filter_and_goes_on_from_the_next_one() {
    List<String> ran = new ArrayList<>();
    AdmissionFilter[] filters = {
      r -> {
        ran.add("a");
        return AdmissionFilter.PROCEED;
      },
      r -> {
        ran.add("b");
        return AdmissionFilter.SUSPEND;
      },
      r -> {
        ran.add("c");
        return 429;
      },
      r -> {
        ran.add("d");
        return AdmissionFilter.PROCEED;
      }
    };
    PolicyChain chain =
        new PolicyChain(filters, new UpstreamRequestFilter[0], new ResponseFilter[0]);
    FakeRequest request = new FakeRequest();

    int first = chain.admitFrom(request, 0);
    assertThat(first).isNegative().isNotEqualTo(AdmissionFilter.SUSPEND);
    assertThat(PolicyChain.suspendedAt(first)).isEqualTo(1);
    assertThat(ran).containsExactly("a", "b");

    assertThat(chain.admitFrom(request, PolicyChain.suspendedAt(first) + 1)).isEqualTo(429);
    assertThat(ran).containsExactly("a", "b", "c");
  }

  @Test
  void a_first_filter_that_suspends_is_told_apart_from_a_verdict() {
    PolicyChain chain =
        new PolicyChain(
            new AdmissionFilter[] {r -> AdmissionFilter.SUSPEND},
            new UpstreamRequestFilter[0],
            new ResponseFilter[0]);
    int result = chain.admitFrom(new FakeRequest(), 0);
    assertThat(result).isLessThan(AdmissionFilter.SUSPEND);
    assertThat(PolicyChain.suspendedAt(result)).isZero();
    assertThat(chain.admitFrom(new FakeRequest(), 1)).isEqualTo(AdmissionFilter.PROCEED);
  }

  private static PolicyChain headerChain() {
    return PolicyCompiler.compile(
        PolicyCompilerTest.route(new Limits(0), null)
            .withPolicies(
                List.of(
                    new RequestHeaders(
                        Map.of("x-env", "prod"), Map.of("x-via", "gatehouse"), List.of("cookie")),
                    new ResponseHeaders(
                        Map.of("cache-control", "no-store"), Map.of(), List.of("server")))),
        null);
  }

  @Test
  void the_header_policies_allocate_nothing_of_their_own() {
    THREADS.setThreadAllocatedMemoryEnabled(true);
    PolicyChain chain = headerChain();
    assertThat(chain.filters())
        .extracting(f -> f.getClass().getSimpleName())
        .containsExactly("RequestHeadersFilter", "ResponseHeadersFilter");
    FakeRequest r = new FakeRequest();
    assertThat(allocatedBy(chain, r)).isZero();
    assertThat(r.editName).isEqualTo("cache-control");
  }

  @Test
  void a_cors_policy_allocates_nothing_on_an_actual_request_from_a_listed_or_wildcard_origin() {
    THREADS.setThreadAllocatedMemoryEnabled(true);
    PolicyChain chain =
        PolicyCompiler.compile(
            PolicyCompilerTest.route(new Limits(0), null)
                .withPolicies(
                    List.of(
                        new Cors(
                            List.of("https://a.example", "https://*.b.example"),
                            List.of(),
                            List.of("PUT"),
                            List.of("x-token"),
                            List.of("x-request-id"),
                            true,
                            600))),
            null);
    for (String origin : List.of("https://a.example", "https://x.y.b.example", "https://no")) {
      FakeRequest r = new FakeRequest();
      r.headers = Map.of("origin", origin);
      assertThat(allocatedBy(chain, r)).as(origin).isZero();
    }
  }

  /**
   * Over Vert.x's header map, as the proxy applies them: a set or add stores one map entry (the
   * map's own allocation, about 40-56 bytes), a remove stores nothing. Measured: the bytes per
   * request are those of the three entries written (x-env, x-via, cache-control), nothing more.
   */
  @Test
  void over_a_vertx_header_map_only_the_entries_written_are_allocated() {
    THREADS.setThreadAllocatedMemoryEnabled(true);
    PolicyChain chain = headerChain();
    MultiMap up = HttpHeaders.headers().add("accept", "*/*").add("x-env", "dev");
    MultiMap down = HttpHeaders.headers().add("content-type", "text/plain");
    MultiMapEdits upEdits = new MultiMapEdits(up);
    MultiMapEdits downEdits = new MultiMapEdits(down);
    FakeRequest r = new FakeRequest();
    long id = Thread.currentThread().getId();
    long fewest = Long.MAX_VALUE;
    for (int round = 0; round < 6; round++) {
      long before = THREADS.getThreadAllocatedBytes(id);
      for (int i = 0; i < RUNS; i++) {
        chain.onUpstreamRequest(r, upEdits);
        up.remove("x-via"); // back to the client's headers, as a fresh request would be
        chain.onResponse(r, 200, downEdits);
      }
      long after = THREADS.getThreadAllocatedBytes(id);
      if (round > 0) {
        fewest = Math.min(fewest, after - before);
      }
    }
    long perRequest = fewest / RUNS;
    System.out.println(
        "header policies over the Vert.x header map: " + perRequest + " bytes/request");
    assertThat(up.getAll("x-env")).containsExactly("prod");
    assertThat(down.get("cache-control")).isEqualTo("no-store");
    // Three entries written per request; 64 bytes each is a generous bound for one entry.
    assertThat(perRequest).isBetween(1L, 3 * 64L);
  }

  /**
   * Variables cost nothing where they need no new text: the route's tenant and name are folded into
   * the literal when compiled, and a value that is one variable alone is that variable's own string
   * (the request id, the client address, the certificate's subject).
   */
  @Test
  void header_variables_allocate_nothing_when_a_value_is_a_route_variable_or_one_variable_alone() {
    THREADS.setThreadAllocatedMemoryEnabled(true);
    PolicyChain chain =
        PolicyCompiler.compile(
            PolicyCompilerTest.route(new Limits(0), null)
                .withPolicies(
                    List.of(
                        new RequestHeaders(
                            Map.of(
                                "x-route", "${route.tenant}/${route.name}",
                                "x-client", "${client.address}",
                                "x-subject", "${tls.client.subject}"),
                            Map.of("x-id", "${request.id}"),
                            List.of()),
                        new ResponseHeaders(
                            Map.of("x-trace", "${request.id}"), Map.of(), List.of()))),
            null);
    FakeRequest r = new FakeRequest();
    r.verdict =
        new ClientCertificateCheck.Result(
            ClientCertificateCheck.Outcome.VERIFIED, "CN=alice", "00ff");
    assertThat(allocatedBy(chain, r)).isZero();
    assertThat(r.editValue).isEqualTo("req-1");
    // Without a certificate the subject is absent: a remove, still nothing allocated.
    r.verdict = null;
    assertThat(allocatedBy(chain, r)).isZero();
  }

  /** A CORS chain's local-answer stage, as the proxy runs it on its own 413 or 503. */
  @Test
  void a_cors_policy_allocates_nothing_on_a_local_answer() {
    THREADS.setThreadAllocatedMemoryEnabled(true);
    PolicyChain chain =
        PolicyCompiler.compile(
            PolicyCompilerTest.route(new Limits(0), null)
                .withPolicies(
                    List.of(
                        new Cors(
                            List.of("https://a.example"),
                            List.of(),
                            List.of(),
                            List.of(),
                            List.of("x-request-id"),
                            true,
                            600))),
            null);
    assertThat(chain.editsLocalAnswers()).isTrue();
    assertThat(PolicyChain.NONE.editsLocalAnswers()).isFalse();
    FakeRequest r = new FakeRequest();
    r.headers = Map.of("origin", "https://a.example");
    long id = Thread.currentThread().getId();
    long fewest = Long.MAX_VALUE;
    for (int round = 0; round < 5 && fewest != 0; round++) {
      long before = THREADS.getThreadAllocatedBytes(id);
      for (int i = 0; i < RUNS; i++) {
        chain.onLocalAnswer(r, 503, r);
      }
      fewest = Math.min(fewest, THREADS.getThreadAllocatedBytes(id) - before);
    }
    assertThat(fewest).isZero();
    assertThat(r.editName).isEqualTo("access-control-expose-headers");
  }
}
