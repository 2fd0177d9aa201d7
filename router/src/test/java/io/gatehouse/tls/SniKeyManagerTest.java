package io.gatehouse.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.certificate.CertificateIndex;
import io.gatehouse.certificate.DefaultCertificate;
import io.gatehouse.certificate.ServedCertificate;
import io.gatehouse.certificate.TestCertificates;
import io.gatehouse.model.CertificateKey;
import io.gatehouse.validate.ValidCertificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The key manager over the certificate index (moved from CertificateIndexTest with the stage). */
class SniKeyManagerTest {
  static final ServedCertificate DEFAULT = DefaultCertificate.generate(Clock.systemUTC());
  static final ValidCertificate A = TestCertificates.valid("a", "a.example");
  static final ValidCertificate WILD = TestCertificates.valid("wild", "*.wild.example");

  CertificateIndex index = CertificateIndex.of(DEFAULT).next(DEFAULT, List.of(A, WILD));

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
  void the_key_manager_counts_a_fallback_only_for_a_host_served_over_https() {
    CertificateIndex i =
        index.next(
            DEFAULT,
            List.of(A),
            java.util.Map.of(),
            java.util.Set.of("missing.example", "a.example"));
    List<String> counted = new java.util.ArrayList<>();
    SniKeyManager km = new SniKeyManager(new AtomicReference<>(i), counted::add);
    assertThat(km.choose("RSA", "Missing.Example")).isNull();
    assertThat(km.choose("EC", "Missing.Example")).isEqualTo(DEFAULT.alias());
    km.choose("EC", "a.example");
    km.choose("EC", "unknown.example");
    km.choose("EC", (String) null);
    assertThat(counted).containsExactly("missing.example");
  }

  @Test
  void a_gateway_socket_answers_what_the_default_would_with_its_listeners_certificate() {
    ValidCertificate listener = TestCertificates.valid("k8s.gateway.test.web", "web.example");
    CertificateKey key = listener.key();
    CertificateIndex i =
        index.next(
            DEFAULT,
            List.of(A, WILD),
            java.util.Map.of(),
            java.util.Set.of("missing.example"),
            java.util.Map.of(key, listener));
    AtomicReference<CertificateIndex> ref = new AtomicReference<>(i);
    List<String> counted = new java.util.ArrayList<>();
    SniKeyManager node = new SniKeyManager(ref, counted::add);
    SniKeyManager socket = node.withFallback(key);
    String own = i.byKey(key).alias();
    // covered names keep their certificate on both
    assertThat(socket.choose("EC", "a.example")).isEqualTo(node.choose("EC", "a.example"));
    assertThat(socket.choose("EC", "x.wild.example")).isEqualTo(i.lookup("x.wild.example").alias());
    // an uncovered name, or none: the socket's own certificate, the node's default on the node's
    for (String name : java.util.Arrays.asList("example.org", "missing.example", null)) {
      assertThat(socket.choose("EC", name)).isEqualTo(own);
      assertThat(node.choose("EC", name)).isEqualTo(DEFAULT.alias());
    }
    assertThat(socket.getCertificateChain(own)[0]).isEqualTo(listener.leaf());
    // only the node's answer was a fallback to count
    assertThat(counted).containsExactly("missing.example");
    // the certificate gone (missing, invalid or expired): the node's default again
    ref.set(i.next(DEFAULT, List.of(A, WILD)));
    assertThat(socket.choose("EC", "example.org")).isEqualTo(DEFAULT.alias());
    assertThat(ref.get().byKey(key)).isNull();
  }
}
