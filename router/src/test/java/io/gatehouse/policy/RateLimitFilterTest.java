package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.access.RateLimitService;
import io.gatehouse.model.RouteKey;
import io.gatehouse.model.policy.ConnectionLimit;
import io.gatehouse.model.policy.LimitKey;
import io.gatehouse.model.policy.RateLimit;
import io.gatehouse.table.InMemoryLimitCounters;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitFilterTest {
  private static final RouteKey ROUTE = RouteKey.of("t1", "api", "r");
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final RateLimitService service =
      RateLimitService.manual(new InMemoryLimitCounters(), now::get, 1000);

  private static RateLimit limit(LimitKey key, long requests, long burst, List<String> exempt) {
    return new RateLimit(
        "api", key, requests, RateLimit.SECOND, burst, RateLimit.Scope.LOCAL, exempt);
  }

  private static FakeRequest from(String address) {
    FakeRequest r = new FakeRequest();
    r.clientAddress = address;
    return r;
  }

  private static String header(FakeRequest r, String name) {
    String last = null;
    for (int i = 0; i < r.answer.size(); i += 2) {
      if (r.answer.get(i).equals(name)) {
        last = r.answer.get(i + 1);
      }
    }
    return last;
  }

  @Test
  void the_burst_is_admitted_with_the_ietf_headers_then_429_with_retry_after() {
    RateLimitFilter f =
        new RateLimitFilter(limit(LimitKey.CLIENT_ADDRESS, 10, 2, List.of()), ROUTE, service);
    FakeRequest first = from("192.0.2.1");
    assertThat(f.admit(first)).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(header(first, "ratelimit-policy")).isEqualTo("\"api\";q=10;w=1");
    assertThat(header(first, "ratelimit")).isEqualTo("\"api\";r=1;t=1");
    FakeRequest second = from("192.0.2.1");
    assertThat(f.admit(second)).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(header(second, "ratelimit")).isEqualTo("\"api\";r=0;t=1");
    FakeRequest third = from("192.0.2.1");
    assertThat(f.admit(third)).isEqualTo(429);
    assertThat(header(third, "retry-after")).as("whole seconds, at least 1").isEqualTo("1");
    assertThat(header(third, "ratelimit")).isEqualTo("\"api\";r=0;t=1");
    assertThat(f.admit(from("192.0.2.2"))).as("another address, another bucket").isZero();
    now.addAndGet(100_000_000L); // 0.1 s: one token at 10/s
    assertThat(f.admit(from("192.0.2.1"))).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(f.admit(from("192.0.2.1"))).isEqualTo(429);
  }

  @Test
  void retry_after_rounds_up_to_whole_seconds() {
    RateLimit perMinute =
        new RateLimit(
            null,
            LimitKey.CLIENT_ADDRESS,
            2,
            RateLimit.MINUTE,
            1,
            RateLimit.Scope.LOCAL,
            List.of());
    RateLimitFilter f = new RateLimitFilter(perMinute, ROUTE, service);
    assertThat(f.admit(from("192.0.2.1"))).isZero();
    FakeRequest refused = from("192.0.2.1");
    assertThat(f.admit(refused)).isEqualTo(429);
    assertThat(header(refused, "retry-after")).as("a token every 30 s").isEqualTo("30");
    assertThat(header(refused, "ratelimit-policy")).isEqualTo("\"default\";q=2;w=60");
  }

  @Test
  void exempt_clients_are_never_limited_and_get_no_headers() {
    RateLimitFilter f =
        new RateLimitFilter(
            limit(LimitKey.CLIENT_ADDRESS, 1, 1, List.of("10.0.0.0/8")), ROUTE, service);
    for (int i = 0; i < 5; i++) {
      FakeRequest r = from("10.1.2.3");
      assertThat(f.admit(r)).isZero();
      assertThat(r.answer).isEmpty();
    }
    assertThat(f.admit(from("192.0.2.1"))).isZero();
    assertThat(f.admit(from("192.0.2.1"))).isEqualTo(429);
  }

  @Test
  void a_header_or_claim_key_counts_by_its_value_and_requests_without_one_share_a_bucket() {
    RateLimitFilter byHeader =
        new RateLimitFilter(
            limit(new LimitKey(LimitKey.Kind.HEADER, "x-api-key"), 1, 1, List.of()),
            ROUTE,
            service);
    FakeRequest a = from("192.0.2.1");
    a.headers = Map.of("x-api-key", "a");
    FakeRequest b = from("192.0.2.1");
    b.headers = Map.of("x-api-key", "b");
    assertThat(byHeader.admit(a)).isZero();
    assertThat(byHeader.admit(b)).as("same address, another key value").isZero();
    assertThat(byHeader.admit(from("192.0.2.3"))).isZero();
    assertThat(byHeader.admit(from("192.0.2.4"))).as("no header: one shared bucket").isEqualTo(429);

    RateLimitFilter byClaim =
        new RateLimitFilter(
            limit(new LimitKey(LimitKey.Kind.CLAIM, "sub"), 1, 1, List.of()), ROUTE, service);
    FakeRequest alice = from("192.0.2.1");
    alice.claims = Map.of("sub", "alice");
    FakeRequest alice2 = from("192.0.2.9");
    alice2.claims = Map.of("sub", "alice");
    FakeRequest bob = from("192.0.2.1");
    bob.claims = Map.of("sub", "bob");
    assertThat(byClaim.admit(alice)).isZero();
    assertThat(byClaim.admit(bob)).isZero();
    assertThat(byClaim.admit(alice2)).as("alice from another address").isEqualTo(429);
  }

  @Test
  void a_route_key_is_one_bucket_and_a_tenant_key_is_shared_by_the_tenants_routes() {
    RateLimit tenant = limit(new LimitKey(LimitKey.Kind.TENANT, null), 1, 1, List.of());
    RateLimitFilter r1 = new RateLimitFilter(tenant, RouteKey.of("t1", "api", "r1"), service);
    RateLimitFilter r2 = new RateLimitFilter(tenant, RouteKey.of("t1", "api", "r2"), service);
    RateLimitFilter other = new RateLimitFilter(tenant, RouteKey.of("t2", "api", "r1"), service);
    assertThat(r1.admit(from("192.0.2.1"))).isZero();
    assertThat(r2.admit(from("192.0.2.2"))).as("the tenant's bucket is empty").isEqualTo(429);
    assertThat(other.admit(from("192.0.2.3"))).as("another tenant").isZero();
    RateLimit route = limit(new LimitKey(LimitKey.Kind.ROUTE, null), 1, 1, List.of());
    RateLimitFilter a = new RateLimitFilter(route, RouteKey.of("t1", "api", "r1"), service);
    RateLimitFilter b = new RateLimitFilter(route, RouteKey.of("t1", "api", "r2"), service);
    assertThat(a.admit(from("192.0.2.1"))).isZero();
    assertThat(a.admit(from("192.0.2.2"))).isEqualTo(429);
    assertThat(b.admit(from("192.0.2.2"))).as("each route its own").isZero();
  }

  @Test
  void a_recompiled_route_keeps_its_buckets() {
    RateLimit spec = limit(LimitKey.CLIENT_ADDRESS, 1, 1, List.of());
    assertThat(new RateLimitFilter(spec, ROUTE, service).admit(from("192.0.2.1"))).isZero();
    assertThat(new RateLimitFilter(spec, ROUTE, service).admit(from("192.0.2.1"))).isEqualTo(429);
  }

  @Test
  void settings_that_cannot_be_honoured_are_refused_at_compile() {
    assertThatThrownBy(
            () ->
                new RateLimitFilter(
                    limit(LimitKey.CLIENT_ADDRESS, 0, 1, List.of()), ROUTE, service))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
    RateLimit perHour =
        new RateLimit(
            "x",
            LimitKey.CLIENT_ADDRESS,
            1,
            Duration.ofHours(1),
            1,
            RateLimit.Scope.LOCAL,
            List.of());
    assertThatThrownBy(() -> new RateLimitFilter(perHour, ROUTE, service))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: 1s or 1m");
    assertThatThrownBy(() -> PolicyServices.NONE.rateLimits())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit service");
  }

  @Test
  void a_connection_limit_counts_requests_in_flight_and_the_end_gives_the_place_back() {
    ConnectionLimitFilter f =
        new ConnectionLimitFilter(
            new ConnectionLimit(LimitKey.CLIENT_ADDRESS, 2, List.of("10.0.0.0/8")), ROUTE, service);
    FakeRequest one = from("192.0.2.1");
    FakeRequest two = from("192.0.2.1");
    FakeRequest three = from("192.0.2.1");
    assertThat(f.admit(one)).isZero();
    assertThat(f.admit(two)).isZero();
    assertThat(f.admit(three)).isEqualTo(429);
    assertThat(header(three, "retry-after")).isEqualTo("1");
    assertThat(three.onEnd).as("a refused request holds no place").isEmpty();
    assertThat(f.admit(from("192.0.2.2"))).as("another client").isZero();
    one.end();
    assertThat(f.admit(from("192.0.2.1"))).isZero();
    for (int i = 0; i < 5; i++) {
      assertThat(f.admit(from("10.0.0.1"))).as("exempt").isZero();
    }
  }
}
