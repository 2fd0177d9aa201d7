package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.TlsSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HstsFilterTest {
  private static final Hsts YEAR = Hsts.of(Duration.ofDays(365), true, false);

  private static FakeRequest respond(HstsFilter f, FakeRequest r) {
    f.onResponse(r, 200, r);
    return r;
  }

  private static HstsFilter filter(String... hosts) {
    return new HstsFilter(new TlsSpec(List.of(hosts), "www", HttpsRedirect.OFF, YEAR));
  }

  @Test
  void a_tls_response_for_a_covered_host_gets_the_header() {
    FakeRequest r = respond(filter(), FakeRequest.tls("a.example"));
    assertThat(r.edits).isEqualTo(1);
    assertThat(r.editName).isEqualTo("strict-transport-security");
    assertThat(r.editValue).isEqualTo("max-age=31536000; includeSubDomains");
  }

  @Test
  void a_plain_http_response_gets_none() {
    assertThat(respond(filter(), FakeRequest.plain("a.example", "/")).edits).isZero();
  }

  @Test
  void only_the_routes_tls_hosts_get_it_and_a_wildcard_covers_one_label() {
    HstsFilter f = filter("a.example", "*.w.example");
    assertThat(respond(f, FakeRequest.tls("a.example")).edits).isEqualTo(1);
    assertThat(respond(f, FakeRequest.tls("x.w.example")).edits).isEqualTo(1);
    assertThat(respond(f, FakeRequest.tls("b.example")).edits).isZero();
    assertThat(respond(f, FakeRequest.tls("x.y.w.example")).edits).isZero();
    assertThat(respond(f, FakeRequest.tls("w.example")).edits).isZero();
  }
}
