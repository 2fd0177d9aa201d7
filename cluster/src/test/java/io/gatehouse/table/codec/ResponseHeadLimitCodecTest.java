package io.gatehouse.table.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.model.RouteSpec;
import io.gatehouse.model.policy.ForwardAuth;
import io.gatehouse.table.EntryKind;
import io.gatehouse.testing.TestAccess;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Entry format 4 (issue #16): a route's own response head limit (proxy-buffer-size) and a forward
 * auth's sign-in redirect other than {@code rd=<the original URL>} (the oauth2-proxy pattern).
 */
class ResponseHeadLimitCodecTest {
  private final EntryCodec codec = new EntryCodec();
  private final ObjectMapper json = new ObjectMapper();

  private static RouteSpec withHeadLimit(int bytes) {
    RouteSpec r = EntryCodecTest.oneStaticBackend();
    return r.withLimits(r.limits().withMaxResponseHeaderBytes(bytes));
  }

  @Test
  void a_route_with_its_own_head_limit_is_format_4_and_round_trips() throws Exception {
    RouteSpec r = withHeadLimit(128 * 1024);
    assertThat(codec.formatOf(r)).isEqualTo(4);
    JsonNode doc = json.readTree(codec.encode(r));
    assertThat(doc.get("v").asInt()).isEqualTo(4);
    assertThat(doc.get("value").get("limits").get("maxResponseHeaderBytes").asInt())
        .isEqualTo(128 * 1024);
    assertThat(codec.decode(EntryKind.ROUTE, codec.encode(r))).isEqualTo(r);
  }

  @Test
  void a_format_3_reader_refuses_it_rather_than_answer_502_to_the_heads_it_allows() {
    String payload = codec.encode(withHeadLimit(64 * 1024));
    assertThatThrownBy(() -> new EntryCodec(3).decode(EntryKind.ROUTE, payload))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payload format 4 is not readable by this release (reads 1..3)");
  }

  @Test
  void a_route_without_one_keeps_its_format_and_its_bytes() {
    RouteSpec plain = EntryCodecTest.oneStaticBackend();
    assertThat(codec.formatOf(plain)).isEqualTo(1);
    assertThat(codec.encode(plain)).doesNotContain("maxResponseHeaderBytes");
    assertThat(codec.encode(withHeadLimit(0))).isEqualTo(codec.encode(plain));
    // and a format 3 reader still reads it
    assertThat(new EntryCodec(3).decode(EntryKind.ROUTE, codec.encode(plain))).isEqualTo(plain);
  }

  @Test
  void a_forward_auth_sign_in_redirect_other_than_the_default_is_format_4_and_round_trips() {
    RouteSpec plain =
        EntryCodecTest.oneStaticBackend().withPolicies(List.of(TestAccess.forwardAuth()));
    assertThat(codec.formatOf(plain)).isEqualTo(3);
    for (ForwardAuth f :
        List.of(
            TestAccess.forwardAuth()
                .withSigninRedirect(
                    ForwardAuth.SigninRedirect.ESCAPED_URI,
                    ForwardAuth.DEFAULT_SIGNIN_REDIRECT_PARAM),
            TestAccess.forwardAuth().withSigninRedirect(ForwardAuth.SigninRedirect.URL, "next"))) {
      RouteSpec r = EntryCodecTest.oneStaticBackend().withPolicies(List.of(f));
      assertThat(codec.formatOf(r)).as(f.toString()).isEqualTo(4);
      String payload = codec.encode(r);
      assertThat(codec.decode(EntryKind.ROUTE, payload)).isEqualTo(r);
      // a format 3 reader would send browsers to sign in with another redirect: it refuses
      assertThatThrownBy(() -> new EntryCodec(3).decode(EntryKind.ROUTE, payload))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("payload format 4");
    }
  }
}
