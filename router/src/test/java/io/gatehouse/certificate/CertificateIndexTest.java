package io.gatehouse.certificate;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.validate.ValidCertificate;
import io.gatehouse.validate.Validated;
import io.gatehouse.validate.Violation;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateIndexTest {
  static final ServedCertificate DEFAULT = DefaultCertificate.generate(Clock.systemUTC());
  static final ValidCertificate A = TestCertificates.valid("a", "a.example");
  static final ValidCertificate WILD = TestCertificates.valid("wild", "*.wild.example");

  CertificateIndex index = CertificateIndex.of(DEFAULT).next(DEFAULT, List.of(A, WILD));

  @Test
  void exact_then_one_label_wildcard_then_default() {
    assertThat(index.lookup("a.example").name()).isEqualTo("test/a");
    assertThat(index.lookup("A.Example.").name()).isEqualTo("test/a");
    assertThat(index.lookup("x.wild.example").name()).isEqualTo("test/wild");
    assertThat(index.lookup("a.b.wild.example")).isSameAs(DEFAULT);
    assertThat(index.lookup("wild.example")).isSameAs(DEFAULT);
    assertThat(index.lookup("unknown.example")).isSameAs(DEFAULT);
    assertThat(index.lookup(null)).isSameAs(DEFAULT);
  }

  @Test
  void unchanged_certificates_keep_their_alias_and_retired_ones_resolve_for_one_swap() {
    ServedCertificate a = index.lookup("a.example");
    ValidCertificate renewed = TestCertificates.valid("a", "a.example");
    CertificateIndex next = index.next(DEFAULT, List.of(renewed, WILD));
    assertThat(next.lookup("x.wild.example").alias())
        .isEqualTo(index.lookup("x.wild.example").alias());
    assertThat(next.lookup("a.example").alias()).isNotEqualTo(a.alias());
    assertThat(next.byAlias(a.alias())).isSameAs(a);
    CertificateIndex after = next.next(DEFAULT, List.of(renewed, WILD));
    assertThat(after.byAlias(a.alias())).isNull();
  }

  @Test
  void to_string_never_prints_the_key() {
    String b64 = java.util.Base64.getEncoder().encodeToString(A.privateKey().getEncoded());
    assertThat(index.lookup("a.example").toString()).doesNotContain(b64.substring(40, 80));
    assertThat(A.toString()).contains("privateKey=redacted");
  }

  @Test
  void a_route_bound_host_wins_over_a_directory_name_at_each_step() {
    ValidCertificate bound = TestCertificates.valid("bound", "a.example", "*.wild.example");
    CertificateIndex i =
        index.next(
            DEFAULT,
            List.of(A, WILD),
            java.util.Map.of("a.example", bound, "*.wild.example", bound),
            java.util.Set.of("a.example", "*.wild.example"));
    assertThat(i.lookup("a.example").source()).isEqualTo(ServedCertificate.Source.TABLE);
    assertThat(i.lookup("x.wild.example").source()).isEqualTo(ServedCertificate.Source.TABLE);
    assertThat(i.lookup("a.example")).isSameAs(i.lookup("x.wild.example"));
    assertThat(i.certificates()).hasSize(3);
  }

  @Test
  void an_exact_directory_name_wins_over_a_bound_wildcard() {
    ValidCertificate bound = TestCertificates.valid("bound", "*.example");
    CertificateIndex i =
        index.next(DEFAULT, List.of(A), java.util.Map.of("*.example", bound), java.util.Set.of());
    assertThat(i.lookup("a.example").name()).isEqualTo("test/a");
    assertThat(i.lookup("b.example").name()).isEqualTo("test/bound");
  }

  @Test
  void a_table_certificate_keeps_its_alias_while_unchanged_and_never_mixes_with_the_directory() {
    ValidCertificate sameName = TestCertificates.valid("a", "b.example");
    CertificateIndex i =
        index.next(
            DEFAULT, List.of(A), java.util.Map.of("b.example", sameName), java.util.Set.of());
    CertificateIndex j =
        i.next(DEFAULT, List.of(A), java.util.Map.of("b.example", sameName), java.util.Set.of());
    assertThat(j.lookup("b.example")).isSameAs(i.lookup("b.example"));
    assertThat(j.lookup("a.example")).isSameAs(i.lookup("a.example"));
    assertThat(j.lookup("a.example")).isNotSameAs(j.lookup("b.example"));
    CertificateIndex removed = j.next(DEFAULT, List.of(A), java.util.Map.of(), java.util.Set.of());
    assertThat(removed.lookup("b.example")).isSameAs(DEFAULT);
    assertThat(removed.byAlias(j.lookup("b.example").alias())).isNotNull();
  }

  @Test
  void hosts_routes_serve_over_https_are_known_by_exact_name_and_one_label_wildcard() {
    CertificateIndex i =
        index.next(
            DEFAULT, List.of(), java.util.Map.of(), java.util.Set.of("x.example", "*.y.example"));
    assertThat(i.servedOverHttps("x.example")).isTrue();
    assertThat(i.servedOverHttps("a.y.example")).isTrue();
    assertThat(i.servedOverHttps("a.b.y.example")).isFalse();
    assertThat(i.servedOverHttps("z.example")).isFalse();
    assertThat(i.servedOverHttps(null)).isFalse();
  }

  @Test
  void a_listener_certificate_is_found_by_key_shares_a_bound_entry_and_keeps_its_alias() {
    ValidCertificate gw = TestCertificates.valid("k8s.gateway.test.web", "web.example");
    CertificateKey key = gw.key();
    CertificateIndex i =
        index.next(
            DEFAULT,
            List.of(A),
            java.util.Map.of("web.example", gw),
            java.util.Set.of("web.example"),
            java.util.Map.of(key, gw));
    assertThat(i.byKey(key)).isSameAs(i.lookup("web.example"));
    // not served by name unless a route binds it: the default stays for other names
    assertThat(i.lookup("other.example")).isSameAs(DEFAULT);
    CertificateIndex unbound =
        i.next(
            DEFAULT, List.of(A), java.util.Map.of(), java.util.Set.of(), java.util.Map.of(key, gw));
    assertThat(unbound.byKey(key).alias()).isEqualTo(i.byKey(key).alias());
    assertThat(unbound.lookup("web.example")).isSameAs(DEFAULT);
    assertThat(unbound.certificates()).doesNotContain(unbound.byKey(key));
    // gone: retired for one swap, so a handshake that chose it still reads its chain
    String alias = unbound.byKey(key).alias();
    CertificateIndex gone = unbound.next(DEFAULT, List.of(A));
    assertThat(gone.byKey(key)).isNull();
    assertThat(gone.byAlias(alias)).isNotNull();
  }

  @Test
  void only_valid_unexpired_kubernetes_certificates_are_listener_certificates() {
    java.time.Instant now = java.time.Instant.now();
    ValidCertificate gw = TestCertificates.valid("k8s.gateway.test.web", "web.example");
    ValidCertificate upload = TestCertificates.valid("web", "web.example");
    java.util.Map<CertificateKey, Validated<ValidCertificate>> table =
        java.util.Map.of(
            gw.key(), Validated.ok(gw),
            upload.key(), Validated.ok(upload),
            CertificateKey.of("test", "k8s.broken"),
                Validated.failed(List.of(new Violation("certificate", "x", "a PEM chain"))));
    assertThat(CertificateIndexHolder.listenerCertificates(table, now)).containsOnlyKeys(gw.key());
    assertThat(CertificateIndexHolder.listenerCertificates(table, gw.notAfter())).isEmpty();
  }
}
