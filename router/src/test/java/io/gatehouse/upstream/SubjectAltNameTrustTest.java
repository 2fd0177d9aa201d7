package io.gatehouse.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.testing.TestPki;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;

/** The names an upstream certificate must carry (Gateway API BackendTLSPolicy subjectAltNames). */
class SubjectAltNameTrustTest {
  private static final TestPki CA = TestPki.ca("names CA");
  private static final X509Certificate NAMED =
      CA.serverWithUris(List.of("abc.example.com", "*.wild.example.com"), List.of("spiffe://a/b"))
          .cert();

  @Test
  void a_dns_name_matches_exactly_case_aside_or_by_a_one_label_wildcard() throws Exception {
    assertThat(SubjectAltNameTrust.matches(NAMED, List.of("DNS:ABC.example.com"))).isTrue();
    assertThat(SubjectAltNameTrust.matches(NAMED, List.of("DNS:x.wild.example.com"))).isTrue();
    assertThat(SubjectAltNameTrust.matches(NAMED, List.of("DNS:x.y.wild.example.com"))).isFalse();
    assertThat(SubjectAltNameTrust.matches(NAMED, List.of("DNS:wild.example.com"))).isFalse();
    assertThat(SubjectAltNameTrust.matches(NAMED, List.of("DNS:def.example.com"))).isFalse();
  }

  @Test
  void a_uri_matches_exactly_and_never_as_a_dns_name() throws Exception {
    assertThat(SubjectAltNameTrust.matches(NAMED, List.of("URI:spiffe://a/b"))).isTrue();
    assertThat(SubjectAltNameTrust.matches(NAMED, List.of("URI:spiffe://a/B"))).isFalse();
    assertThat(SubjectAltNameTrust.matches(NAMED, List.of("DNS:spiffe://a/b"))).isFalse();
    assertThat(SubjectAltNameTrust.matches(NAMED, List.of("URI:abc.example.com"))).isFalse();
  }

  @Test
  void one_name_of_several_is_enough_and_none_names_the_expected() throws Exception {
    assertThat(
            SubjectAltNameTrust.matches(NAMED, List.of("DNS:def.example.com", "URI:spiffe://a/b")))
        .isTrue();
    TrustManagerFactory jdk =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    jdk.init((java.security.KeyStore) null);
    SubjectAltNameTrust trust =
        new SubjectAltNameTrust(
            (X509ExtendedTrustManager) jdk.getTrustManagers()[0],
            List.of("DNS:def.example.com", "URI:spiffe://d/e"));
    assertThatThrownBy(() -> trust.checkNames(new X509Certificate[] {NAMED}))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("[DNS:def.example.com, URI:spiffe://d/e]");
  }
}
