package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.BackendRef;
import io.gatehouse.model.BackendSpec;
import io.gatehouse.model.Endpoint;
import io.gatehouse.model.Limits;
import io.gatehouse.model.policy.ErrorPages;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorPageSetTest {
  private static final BackendSpec ERRORS =
      BackendSpec.http1(List.of(Endpoint.of("127.0.0.1", 9000)));

  private static final ErrorPageSet SET =
      ErrorPageSet.of(
          List.of(
              ErrorPages.page(List.of(404), "<h1>gone</h1>", "text/html"),
              ErrorPages.backend(List.of(502, 503), ERRORS),
              ErrorPages.page(List.of(429), "{\"slow\":1}", "application/json"),
              ErrorPages.backend(List.of(500), new BackendRef.Named("errors"))));

  @Test
  void each_status_finds_its_page_and_the_others_none() {
    record Case(int status, String body, String type, int backend) {}
    List<Case> cases =
        List.of(
            new Case(404, "<h1>gone</h1>", "text/html", -1),
            new Case(429, "{\"slow\":1}", "application/json", -1),
            new Case(502, null, null, 0),
            new Case(503, null, null, 0),
            new Case(500, null, null, 1));
    for (Case c : cases) {
      ErrorPageSet.Page p = SET.forStatus(c.status());
      assertThat(p).as("%s", c.status()).isNotNull();
      assertThat(p.fetched()).as("%s", c.status()).isEqualTo(c.backend() >= 0);
      assertThat(p.backend()).as("%s", c.status()).isEqualTo(c.backend());
      assertThat(p.contentType()).as("%s", c.status()).isEqualTo(c.type());
      assertThat(p.body() == null ? null : new String(p.body(), StandardCharsets.UTF_8))
          .as("%s", c.status())
          .isEqualTo(c.body());
    }
    for (int status : new int[] {0, 200, 304, 399, 400, 401, 501, 504, 599, 600, 1000, -1}) {
      assertThat(SET.forStatus(status)).as("%s", status).isNull();
    }
  }

  @Test
  void no_error_pages_share_the_empty_set_and_the_no_policy_chain() {
    assertThat(ErrorPageSet.of(List.of())).isSameAs(ErrorPageSet.NONE);
    assertThat(ErrorPageSet.NONE.isEmpty()).isTrue();
    for (int status = 0; status < 700; status++) {
      assertThat(ErrorPageSet.NONE.forStatus(status)).isNull();
    }
    assertThat(PolicyChain.NONE.errorPages()).isSameAs(ErrorPageSet.NONE);
    assertThat(
            PolicyCompiler.compile(PolicyCompilerTest.route(new Limits(0), null), null)
                .errorPages())
        .isSameAs(ErrorPageSet.NONE);
  }

  @Test
  void looking_a_status_up_allocates_nothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    long fewest = Long.MAX_VALUE;
    int found = 0;
    for (int round = 0; round < 5; round++) {
      long before = threads.getThreadAllocatedBytes(id);
      for (int i = 0; i < 100_000; i++) {
        int status = 400 + (i % 200);
        found += ErrorPageSet.NONE.forStatus(status) == null ? 0 : 1;
        found += SET.forStatus(status) == null ? 0 : 1;
      }
      fewest = Math.min(fewest, threads.getThreadAllocatedBytes(id) - before);
    }
    assertThat(found).isEqualTo(5 * 100_000 / 200 * 5);
    assertThat(fewest).isZero();
  }

  @Test
  void a_route_with_only_error_pages_gets_a_chain_of_its_own_without_filters() {
    PolicyChain c =
        PolicyCompiler.compile(
            PolicyCompilerTest.route(null, null)
                .withPolicies(List.of(ErrorPages.page(List.of(503), "x", "text/plain"))),
            null);
    assertThat(c).isNotSameAs(PolicyCompiler.defaultBackend()).isNotSameAs(PolicyChain.NONE);
    assertThat(new String(c.errorPages().forStatus(503).body(), StandardCharsets.UTF_8))
        .isEqualTo("x");
    assertThat(c.filters()).extracting(Object::getClass).containsExactly(BodyLimitFilter.class);
  }
}
