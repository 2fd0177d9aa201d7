package io.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.validate.ValidCertificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
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
  void the_key_manager_resolves_the_alias_it_chose_across_a_swap() {
    AtomicReference<CertificateIndex> ref = new AtomicReference<>(index);
    SniKeyManager km = new SniKeyManager(ref);
    String alias = index.lookup("a.example").alias();
    ref.set(index.next(DEFAULT, List.of(WILD)));
    assertThat(km.getCertificateChain(alias)[0]).isEqualTo(A.leaf());
    assertThat(km.getPrivateKey(alias)).isEqualTo(A.privateKey());
    assertThat(km.getServerAliases("RSA", null)).isEmpty();
    assertThat(km.getServerAliases("EC", null)).hasSize(2);
  }

  @Test
  void to_string_never_prints_the_key() {
    String b64 = java.util.Base64.getEncoder().encodeToString(A.privateKey().getEncoded());
    assertThat(index.lookup("a.example").toString()).doesNotContain(b64.substring(40, 80));
    assertThat(A.toString()).contains("privateKey=redacted");
  }
}
