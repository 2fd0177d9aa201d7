package io.gatehouse.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import io.gatehouse.model.policy.ErrorPages;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The host and redirect annotations as ingress-nginx reads them ({@link HostAnnotations}). */
class HostAnnotationsTest {
  private static final IngressRef REF = new IngressRef("shop", "web");
  private static final String N = IngressAnnotations.NGINX;

  private static IngressAnnotations parse(String... keyValues) {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      a.put(N + keyValues[i], keyValues[i + 1]);
    }
    return IngressAnnotations.parse(REF, a);
  }

  @Test
  void server_alias_is_a_trimmed_sorted_list_without_duplicates_or_empty_items() {
    IngressAnnotations a = parse("server-alias", " b.example.com,a.example.com,, b.example.com ");
    assertThat(a.hosts().aliases()).containsExactly("a.example.com", "b.example.com");
    assertThat(a.problems()).isEmpty();
  }

  // Go's strconv.ParseBool, which ingress-nginx's GetBoolAnnotation uses
  @ParameterizedTest
  @CsvSource({
    "true,true", "True,true", "TRUE,true", "t,true", "T,true", "1,true",
    "false,false", "False,false", "FALSE,false", "f,false", "F,false", "0,false"
  })
  void force_ssl_redirect_reads_booleans_as_ingress_nginx(String value, boolean expected) {
    IngressAnnotations a = parse("force-ssl-redirect", value);
    assertThat(a.hosts().forceSslRedirect()).isEqualTo(expected);
    assertThat(a.problems()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"yes", "on", "tRuE", "' true'"})
  void an_invalid_boolean_is_reported_and_the_default_used(String value) {
    IngressAnnotations a = parse("force-ssl-redirect", value);
    assertThat(a.hosts().forceSslRedirect()).isFalse();
    assertThat(a.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.reason()).isEqualTo("InvalidAnnotation");
              assertThat(p.message()).contains("force-ssl-redirect").contains("default (false)");
            });
  }

  @Test
  void disable_proxy_intercept_errors_lets_the_backend_errors_through() {
    IngressAnnotations on =
        parse(
            "custom-http-errors", "404,503",
            "default-backend", "errors",
            "disable-proxy-intercept-errors", "true");
    IngressAnnotations off =
        parse(
            "custom-http-errors", "404,503",
            "default-backend", "errors",
            "disable-proxy-intercept-errors", "false");
    assertThat(on.policies()).noneMatch(p -> p instanceof ErrorPages);
    assertThat(off.policies()).anyMatch(p -> p instanceof ErrorPages);
  }

  @Test
  void disable_proxy_intercept_errors_without_custom_http_errors_changes_nothing() {
    // default-backend alone answers a Service without endpoints: not an intercepted error
    IngressAnnotations a =
        parse("default-backend", "errors", "disable-proxy-intercept-errors", "true");
    assertThat(a.hosts().interceptErrorsOff()).isFalse();
    assertThat(a.policies()).anyMatch(p -> p instanceof ErrorPages);
  }

  static Stream<Arguments> timeouts() {
    return Stream.of(
        Arguments.of(new String[] {}, Duration.ofSeconds(15), Duration.ofSeconds(60)),
        Arguments.of(
            new String[] {"proxy-read-timeout", "30"},
            Duration.ofSeconds(30),
            Duration.ofSeconds(30)),
        Arguments.of(
            new String[] {"proxy-send-timeout", "20"},
            Duration.ofSeconds(15),
            Duration.ofSeconds(20)),
        Arguments.of(
            new String[] {"proxy-read-timeout", "30", "proxy-send-timeout", "20"},
            Duration.ofSeconds(30),
            Duration.ofSeconds(20)));
  }

  @ParameterizedTest
  @MethodSource("timeouts")
  void proxy_send_timeout_bounds_the_body_idle_time(
      String[] keyValues, Duration response, Duration bodyIdle) {
    IngressAnnotations a = parse(keyValues);
    assertThat(a.timeouts().response()).isEqualTo(response);
    assertThat(a.timeouts().bodyIdle()).isEqualTo(bodyIdle);
  }

  // nginx's location ~* "^PATH": case-insensitive, from the start, anything after
  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      value = {
        "/api;/api;true",
        "/api;/API/v1;true",
        "/api;/apix;true",
        "/api;/x/api;false",
        "/exact$;/exact;true",
        "/exact$;/exact/x;false",
        "/foo(/|$)(.*);/foo/bar;true",
        "/foo(/|$)(.*);/foobar;false",
        // a top-level alternative: only the first is anchored, as in nginx
        "/a|/b;/a/x;true",
        "/a|/b;/x/b;true",
        "/a|/b;/x/a;false",
        "[|]x;|x;true"
      })
  void nginx_regex_matches_as_nginx_location(String path, String request, boolean matches) {
    Pattern p = Pattern.compile(IngressTranslator.nginxRegex(path));
    assertThat(p.matches(request)).isEqualTo(matches);
    assertThat(IngressTranslator.rawRegex(IngressTranslator.nginxRegex(path))).isEqualTo(path);
  }
}
