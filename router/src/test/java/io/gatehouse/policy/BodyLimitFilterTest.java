package io.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BodyLimitFilterTest {
  private static int admit(long limit, long declared) {
    FakeRequest r = FakeRequest.plain("a.example", "/");
    r.contentLength = declared;
    return new BodyLimitFilter(limit).admit(r);
  }

  @Test
  void a_declared_length_over_the_limit_is_413_and_up_to_it_proceeds() {
    assertThat(admit(16, 17)).isEqualTo(413);
    assertThat(admit(16, 16)).isEqualTo(AdmissionFilter.PROCEED);
    assertThat(admit(16, 0)).isEqualTo(AdmissionFilter.PROCEED);
  }

  @Test
  void a_body_without_a_declared_length_is_left_to_the_body_pump() {
    assertThat(admit(16, -1)).isEqualTo(AdmissionFilter.PROCEED);
  }

  @Test
  void no_limit_is_no_filter() {
    assertThatThrownBy(() -> new BodyLimitFilter(0)).hasMessage("maxBytes: 0 (expected: above 0)");
  }
}
