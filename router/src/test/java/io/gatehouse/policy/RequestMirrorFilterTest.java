package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Limits;
import io.gatehouse.model.policy.Cors;
import io.gatehouse.model.policy.PolicySpec;
import io.gatehouse.model.policy.RequestMirror;
import io.gatehouse.model.policy.RequestRedirect;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestMirrorFilterTest {
  private static final BackendSpec SHADOW =
      BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", 9000)));

  private static RequestMirror share(int numerator, int denominator) {
    return new RequestMirror(SHADOW, numerator, denominator, null, true, 1024, 10);
  }

  private static PolicyChain chain(PolicySpec... policies) {
    return PolicyCompiler.compile(
        PolicyCompilerTest.route(new Limits(0), null).withPolicies(List.of(policies)), null);
  }

  @Test
  void the_share_is_exact_and_evenly_spread() {
    record Case(String name, int numerator, int denominator, int requests, int copies) {}
    List<Case> cases =
        List.of(
            new Case("none", 0, 100, 1000, 0),
            new Case("every request", 100, 100, 1000, 1000),
            new Case("ten percent", 10, 100, 1000, 100),
            new Case("one percent", 1, 100, 1000, 10),
            new Case("a third", 1, 3, 999, 333),
            new Case("two thirds", 2, 3, 999, 666),
            new Case("one in a thousand", 1, 1000, 3000, 3),
            new Case("all but one in a million", 999_999, 1_000_000, 2_000_000, 1_999_998));
    for (Case c : cases) {
      RequestMirrorFilter f = new RequestMirrorFilter(0, share(c.numerator(), c.denominator()));
      int copies = 0;
      int window = 0;
      for (int k = 0; k < c.requests(); k++) {
        if (f.sampled()) {
          copies++;
          window++;
        }
        if ((k + 1) % c.denominator() == 0) {
          // Every window of `denominator` requests holds exactly `numerator` copies.
          assertThat(window).as("%s, window ending at %d", c.name(), k).isEqualTo(c.numerator());
          window = 0;
        }
      }
      assertThat(copies).as(c.name()).isEqualTo(c.copies());
    }
  }

  @Test
  void ten_percent_is_one_request_in_ten_never_a_burst() {
    RequestMirrorFilter f = new RequestMirrorFilter(0, share(10, 100));
    int last = -1;
    for (int k = 0; k < 1000; k++) {
      if (f.sampled()) {
        if (last >= 0) {
          assertThat(k - last).as("gap before request %d", k).isEqualTo(10);
        }
        last = k;
      }
    }
  }

  @Test
  void it_lets_every_request_through_and_names_its_mirror() {
    PolicyChain c =
        chain(share(100, 100), share(0, 100), RequestMirror.of(SHADOW), share(100, 100));
    FakeRequest r = new FakeRequest();
    assertThat(c.admit(r)).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(r.mirrors).as("mirrors 0, 2 and 3; 1 copies nothing").isEqualTo(0b1101);
    assertThat(c.filters()).allMatch(f -> f instanceof RequestMirrorFilter);
  }

  @Test
  void a_request_another_filter_answers_takes_no_turn_and_is_never_mirrored() {
    PolicyChain redirect =
        chain(RequestMirror.of(SHADOW), RequestRedirect.of("https", null, null, null, 301));
    FakeRequest r = FakeRequest.plain("a.example", "/x");
    assertThat(redirect.admit(r)).isEqualTo(301);
    assertThat(r.mirrors).isZero();

    // Listed first, a mirror still chooses after CORS has answered a preflight.
    PolicyChain cors =
        chain(
            share(1, 2),
            new Cors(
                List.of("https://app.example"),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                false,
                5));
    assertThat(cors.filters().get(cors.filters().size() - 1))
        .isInstanceOf(CorsFilter.class); // the response stage
    FakeRequest preflight = new FakeRequest();
    preflight.method = "OPTIONS";
    preflight.headers =
        Map.of("origin", "https://app.example", "access-control-request-method", "GET");
    for (int i = 0; i < 10; i++) {
      assertThat(cors.admit(preflight)).isEqualTo(204);
    }
    assertThat(preflight.mirrors).isZero();
    // The preflights took no turn: the first actual request is the first of its window.
    FakeRequest first = new FakeRequest();
    first.headers = Map.of("origin", "https://app.example");
    assertThat(cors.admit(first)).isEqualTo(AdmissionFilter.PROCEED);
    FakeRequest second = new FakeRequest();
    second.headers = Map.of("origin", "https://app.example");
    cors.admit(second);
    assertThat(first.mirrors + second.mirrors).isEqualTo(1);
    assertThat(second.mirrors).as("1 of 2: the second of the window").isEqualTo(1);
  }
}
