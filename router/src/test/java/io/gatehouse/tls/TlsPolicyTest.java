package io.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.vertx.core.net.OpenSSLEngineOptions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TlsPolicyTest {
  private static final List<String> V = TlsPolicy.DEFAULTS.protocols();
  private static final List<String> S = TlsPolicy.DEFAULTS.cipherSuites();

  private static TlsPolicy parse(
      List<String> protocols, List<String> suites, List<String> groups, List<String> minimums) {
    return TlsPolicy.parse(protocols, suites, groups, true, Duration.ZERO, minimums);
  }

  @Test
  void the_defaults_are_todays_constants() {
    TlsPolicy p = parse(V, S, List.of(), List.of());
    assertThat(p).isEqualTo(TlsPolicy.DEFAULTS);
    assertThat(p.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(p.enabledSuites()).hasSize(9).startsWith(TlsPolicy.TLS13_SUITES.get(0));
    assertThat(TlsServerOptions.CIPHER_SUITES).isEqualTo(p.enabledSuites());
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(
            "tls1.1-is-insecure",
            List.of("TLSv1.1"),
            S,
            List.of(),
            List.of(),
            "tls.protocols",
            "TLSv1.1"),
        Arguments.of(
            "tls1-is-insecure",
            List.of("TLSv1", "TLSv1.2"),
            S,
            List.of(),
            List.of(),
            "tls.protocols",
            "TLSv1"),
        Arguments.of(
            "unknown-version",
            List.of("TLSv1.4"),
            S,
            List.of(),
            List.of(),
            "tls.protocols",
            "TLSv1.4"),
        Arguments.of("no-version", List.of(), S, List.of(), List.of(), "tls.protocols", ""),
        Arguments.of(
            "tls13-suites-are-fixed",
            V,
            List.of("TLS_AES_128_GCM_SHA256"),
            List.of(),
            List.of(),
            "tls.cipherSuites",
            "TLS_AES_128_GCM_SHA256"),
        Arguments.of(
            "cbc-is-on-h2s-block-list",
            V,
            List.of("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
            List.of(),
            List.of(),
            "tls.cipherSuites",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
        Arguments.of(
            "static-rsa-is-on-h2s-block-list",
            V,
            List.of("TLS_RSA_WITH_AES_128_GCM_SHA256"),
            List.of(),
            List.of(),
            "tls.cipherSuites",
            "TLS_RSA_WITH_AES_128_GCM_SHA256"),
        Arguments.of(
            "openssl-names-are-not-iana-names",
            V,
            List.of("ECDHE-RSA-AES128-GCM-SHA256"),
            List.of(),
            List.of(),
            "tls.cipherSuites",
            "ECDHE-RSA-AES128-GCM-SHA256"),
        Arguments.of(
            "tls12-needs-a-suite",
            List.of("TLSv1.2"),
            List.of(),
            List.of(),
            List.of(),
            "tls.cipherSuites",
            ""),
        Arguments.of("unknown-group", V, S, List.of("X448"), List.of(), "tls.groups", "X448"),
        Arguments.of(
            "minimum-without-a-version",
            V,
            S,
            List.of(),
            List.of("a.example"),
            "tls.minVersionByHost",
            "a.example"),
        Arguments.of(
            "minimum-tls11",
            V,
            S,
            List.of(),
            List.of("a.example=TLSv1.1"),
            "tls.minVersionByHost",
            "a.example=TLSv1.1"),
        Arguments.of(
            "minimum-on-a-bad-host",
            V,
            S,
            List.of(),
            List.of("a b=TLSv1.3"),
            "tls.minVersionByHost",
            "a b=TLSv1.3"),
        Arguments.of(
            "tls13-minimum-needs-tls13-on",
            List.of("TLSv1.2"),
            S,
            List.of(),
            List.of("a.example=TLSv1.3"),
            "tls.minVersionByHost",
            "a.example=TLSv1.3"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refused_with_the_key_and_value_named(
      String name,
      List<String> protocols,
      List<String> suites,
      List<String> groups,
      List<String> minimums,
      String key,
      String value) {
    assertThatThrownBy(() -> parse(protocols, suites, groups, minimums))
        .isInstanceOfSatisfying(
            TlsPolicy.Invalid.class,
            e -> {
              assertThat(e.key()).isEqualTo(key);
              assertThat(e.value()).isEqualTo(value);
              assertThat(e.getMessage()).startsWith(key + ": \"" + value + "\" (expected: ");
            });
  }

  @Test
  void a_session_timeout_is_zero_or_one_second_to_seven_days() {
    assertThat(
            TlsPolicy.parse(V, S, List.of(), true, Duration.ofMillis(300_500), List.of())
                .sessionTimeout())
        .isEqualTo(Duration.ofSeconds(300));
    for (Duration bad : List.of(Duration.ofMillis(500), Duration.ofDays(8))) {
      assertThatThrownBy(() -> TlsPolicy.parse(V, S, List.of(), true, bad, List.of()))
          .hasMessageStartingWith("tls.sessionTimeout: \"" + bad + "\"");
    }
  }

  @Test
  void tls12_suites_may_be_listed_while_only_tls13_is_on() {
    TlsPolicy p = parse(List.of("TLSv1.3"), S, List.of(), List.of());
    assertThat(p.enabledSuites()).isEqualTo(TlsPolicy.TLS13_SUITES);
  }

  @Test
  void versions_come_newest_first_and_suites_keep_their_order() {
    TlsPolicy p =
        parse(
            List.of("TLSv1.2", " TLSv1.3"),
            List.of(
                "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            List.of(),
            List.of());
    assertThat(p.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(p.cipherSuites())
        .containsExactly(
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  }

  @Test
  void group_spellings_become_openssl_names() {
    assertThat(
            parse(
                    V,
                    S,
                    List.of("x25519", "secp256r1", "prime256v1", "P-384", "secp521r1"),
                    List.of())
                .groups())
        .containsExactly("X25519", "P-256", "P-384", "P-521");
  }

  @Test
  void a_tls13_host_refuses_older_versions_by_exact_name_or_one_label_wildcard() {
    TlsPolicy p =
        parse(
            V,
            S,
            List.of(),
            List.of("Strict.Example.=TLSv1.3", "*.secure.example=TLSv1.3", "lax.example=TLSv1.2"));
    assertThat(p.tls13Hosts()).containsExactlyInAnyOrder("strict.example", "*.secure.example");
    assertThat(p.refuses("strict.example", "TLSv1.2")).isTrue();
    assertThat(p.refuses("strict.example", null)).as("unknown version: refused").isTrue();
    assertThat(p.refuses("strict.example", "TLSv1.3")).isFalse();
    assertThat(p.refuses("a.secure.example", "TLSv1.2")).isTrue();
    assertThat(p.refuses("a.b.secure.example", "TLSv1.2")).as("one label only").isFalse();
    assertThat(p.refuses("secure.example", "TLSv1.2")).isFalse();
    assertThat(p.refuses("lax.example", "TLSv1.2")).isFalse();
    assertThat(p.refuses(null, "TLSv1.2")).isFalse();
    assertThat(TlsPolicy.DEFAULTS.refuses("strict.example", "TLSv1.2")).isFalse();
  }

  @Test
  void the_jdk_engine_refuses_groups_and_tickets_it_can_only_set_jvm_wide() {
    assertThatThrownBy(
            () ->
                parse(V, S, List.of("X25519"), List.of()).checkEngine(TlsServerOptions.Engine.JDK))
        .hasMessageStartingWith("tls.groups: \"X25519\"")
        .hasMessageContaining("tls.engine: openssl");
    assertThatThrownBy(
            () ->
                TlsPolicy.parse(V, S, List.of(), false, Duration.ZERO, List.of())
                    .checkEngine(TlsServerOptions.Engine.JDK))
        .hasMessageStartingWith("tls.sessionTickets: \"false\"")
        .hasMessageContaining(TlsPolicy.JDK_TICKETS_PROPERTY);
    TlsPolicy.DEFAULTS.checkEngine(TlsServerOptions.Engine.JDK);
  }

  @Test
  void a_suite_the_engine_lacks_is_refused_never_dropped() {
    // BoringSSL has no finite-field DHE; the JDK has it.
    TlsPolicy dhe = parse(V, List.of("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"), List.of(), List.of());
    dhe.checkEngine(TlsServerOptions.Engine.JDK);
    assumeThat(OpenSSLEngineOptions.isAvailable()).as("the OpenSSL engine loads").isTrue();
    assertThatThrownBy(() -> dhe.checkEngine(TlsServerOptions.Engine.OPENSSL))
        .hasMessageStartingWith("tls.cipherSuites: \"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256\"")
        .hasMessageContaining("OpenSSL engine");
    TlsPolicy.DEFAULTS.checkEngine(TlsServerOptions.Engine.OPENSSL);
  }
}
