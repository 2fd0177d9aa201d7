package io.gatehouse.validate;

import static io.gatehouse.testing.TestPki.issue;
import static io.gatehouse.testing.TestPki.selfSigned;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.HttpsRedirect;
import io.gatehouse.model.PrivateKeyPem;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.TlsSpec;
import io.gatehouse.testing.TestPki;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CertificateValidatorTest {
  static final Instant NOW = Instant.parse("2026-11-15T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final Instant FROM = NOW.minus(Duration.ofDays(30));
  static final Instant TO = NOW.plus(Duration.ofDays(60));
  static final CertificateKey KEY = CertificateKey.of("acme", "shop");

  static final TestPki.Issued ROOT =
      issue(TestPki.ec(), "Test Root", List.of(), FROM, TO, null, true);
  static final TestPki.Issued INTERMEDIATE =
      issue(TestPki.ec(), "Test Intermediate", List.of(), FROM, TO, ROOT, true);
  static final TestPki.Issued LEAF =
      issue(
          TestPki.ec(),
          "shop.example",
          List.of("Shop.Example", "*.shop.example"),
          FROM,
          TO,
          INTERMEDIATE,
          false);

  static CertificateSpec spec(String chain, String key) {
    return new CertificateSpec(KEY, chain, new PrivateKeyPem(key));
  }

  static Validated<ValidCertificate> validate(String chain, String key) {
    return CertificateValidator.validate(spec(chain, key), CLOCK);
  }

  // --- accepted ------------------------------------------------------------------------------

  @Test
  void self_signed_leaf_alone_is_accepted_with_its_details() {
    TestPki.Issued c = selfSigned("a.example", List.of("A.example"), FROM, TO);
    Validated<ValidCertificate> v = validate(c.certPem(), c.keyPem());
    assertThat(v.violations()).isEmpty();
    ValidCertificate vc = v.value();
    assertThat(vc.dnsNames()).containsExactly("a.example");
    assertThat(vc.keyType()).isEqualTo("EC");
    assertThat(vc.subject()).isEqualTo("CN=a.example");
    assertThat(vc.issuer()).isEqualTo("CN=a.example");
    assertThat(vc.notBefore()).isEqualTo(FROM.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    assertThat(vc.sha256Fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
  }

  @Test
  void an_entry_the_jdk_cannot_parse_leaves_the_dns_names_served() throws Exception {
    // subjectAltName URI:*, DNS:*.org, DNS:*.wildcard.org, made by openssl as the Gateway API
    // conformance suite's certificates are made by Go: the JDK drops the whole extension
    String chain = resource("certificates/uri-star-san.crt");
    String key = resource("certificates/uri-star-san.key");
    Validated<ValidCertificate> v =
        CertificateValidator.validate(spec(chain, key), Clock.systemUTC());
    assertThat(v.violations()).isEmpty();
    assertThat(v.value().dnsNames()).containsExactly("*.org", "*.wildcard.org");
  }

  @Test
  void a_leaf_without_dns_names_is_accepted_only_where_none_is_required() {
    // a Gateway listener's default certificate: served to every name, so it needs none
    CertificateSpec spec = spec(NO_SAN.certPem(), NO_SAN.keyPem());
    assertThat(CertificateValidator.validate(spec, CLOCK).violations())
        .extracting(Object::toString)
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("at least one DNS name");
    Validated<ValidCertificate> relaxed = CertificateValidator.validate(spec, CLOCK, false);
    assertThat(relaxed.violations()).isEmpty();
    assertThat(relaxed.value().dnsNames()).isEmpty();
    assertThat(relaxed.value().subject()).isEqualTo("CN=nosan.example");
    assertThat(CertificateValidator.coverage(relaxed.value(), "nosan.example")).isEmpty();
    // every other rule still holds
    assertThat(
            CertificateValidator.validate(spec(NO_SAN.certPem(), A.keyPem()), CLOCK, false)
                .isValid())
        .isFalse();
  }

  private static String resource(String name) throws Exception {
    try (var in = CertificateValidatorTest.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
    }
  }

  @Test
  void leaf_then_intermediate_is_accepted_and_the_root_may_follow() {
    assertThat(validate(LEAF.certPem() + INTERMEDIATE.certPem(), LEAF.keyPem()).violations())
        .isEmpty();
    assertThat(
            validate(
                    "subject=CN=shop.example\n"
                        + LEAF.certPem()
                        + INTERMEDIATE.certPem()
                        + ROOT.certPem(),
                    LEAF.keyPem())
                .value()
                .chain())
        .hasSize(3);
  }

  @Test
  void pkcs1_rsa_and_sec1_ec_keys_are_parsed_without_conversion() {
    TestPki.Issued rsa =
        issue(TestPki.rsa(), "r.example", List.of("r.example"), FROM, TO, null, false);
    assertThat(rsa.traditionalPem()).contains("BEGIN RSA PRIVATE KEY");
    Validated<ValidCertificate> v = validate(rsa.certPem(), rsa.traditionalPem());
    assertThat(v.violations()).isEmpty();
    assertThat(v.value().keyType()).isEqualTo("RSA");

    TestPki.Issued ec = selfSigned("e.example", List.of("e.example"), FROM, TO);
    assertThat(validate(ec.certPem(), ec.sec1Pem()).violations()).isEmpty();
  }

  // --- refused, one case per rule --------------------------------------------------------------

  static final TestPki.Issued A = selfSigned("a.example", List.of("a.example"), FROM, TO);
  static final TestPki.Issued OTHER = selfSigned("a.example", List.of("a.example"), FROM, TO);
  static final TestPki.Issued EXPIRED =
      selfSigned(
          "old.example",
          List.of("old.example"),
          NOW.minus(Duration.ofDays(90)),
          NOW.minus(Duration.ofDays(1)));
  static final TestPki.Issued NOT_YET =
      selfSigned(
          "new.example",
          List.of("new.example"),
          NOW.plus(Duration.ofDays(1)),
          NOW.plus(Duration.ofDays(90)));
  static final TestPki.Issued NO_SAN = selfSigned("nosan.example", List.of(), FROM, TO);
  static final TestPki.Issued DSA =
      issue(
          TestPki.generate("DSA", null),
          "dsa.example",
          List.of("dsa.example"),
          FROM,
          TO,
          null,
          false);
  static final TestPki.Issued ED25519 =
      issue(
          TestPki.generate("Ed25519", null),
          "ed.example",
          List.of("ed.example"),
          FROM,
          TO,
          null,
          false);
  static final TestPki.Issued P521 =
      issue(
          TestPki.generate("EC", new ECGenParameterSpec("secp521r1")),
          "p521.example",
          List.of("p521.example"),
          FROM,
          TO,
          null,
          false);

  /** name, spec, the one message expected (a fragment of it). */
  static Stream<Arguments> refusals() {
    String tenMiB = "A".repeat(10 * 1024 * 1024);
    return Stream.of(
        Arguments.of(
            "garbage-chain",
            spec("hello, this is not a certificate", A.keyPem()),
            "certificateChainPem: \"32 characters without a PEM block\" (expected: one or more"
                + " -----BEGIN CERTIFICATE----- blocks, the leaf first)"),
        Arguments.of(
            "garbage-base64-in-chain",
            spec("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", A.keyPem()),
            "certificateChainPem: \"block 0 (CERTIFICATE) is not valid base64\" (expected:"
                + " well-formed PEM)"),
        Arguments.of(
            "garbage-der-in-chain",
            spec(TestPki.pem("CERTIFICATE", new byte[] {1, 2, 3, 4}), A.keyPem()),
            "certificateChainPem[0]: \"BEGIN CERTIFICATE\" (expected: a parsable X.509"
                + " certificate (DER))"),
        Arguments.of(
            "garbage-key",
            spec(A.certPem(), "not a key"),
            "privateKey: \"PrivateKeyPem[redacted]\" (expected: exactly one -----BEGIN PRIVATE"
                + " KEY----- block (found 0))"),
        Arguments.of(
            "key-pasted-into-the-chain",
            spec(A.keyPem(), A.keyPem()),
            "certificateChainPem[0]: \"BEGIN PRIVATE KEY\" (expected: a CERTIFICATE block; the"
                + " private key belongs in privateKey)"),
        Arguments.of(
            "mismatched-key",
            spec(A.certPem(), OTHER.keyPem()),
            "privateKey: \"PrivateKeyPem[redacted]\" (expected: the private key of the leaf"
                + " certificate CN=a.example)"),
        Arguments.of(
            "expired",
            spec(EXPIRED.certPem(), EXPIRED.keyPem()),
            "certificateChainPem[0]: \"CN=old.example\" (expected: a certificate valid now: it"
                + " expired at 2026-11-14T12:00:00Z (valid 2026-08-17T12:00:00Z to"
                + " 2026-11-14T12:00:00Z; now 2026-11-15T12:00:00Z))"),
        Arguments.of(
            "not-yet-valid",
            spec(NOT_YET.certPem(), NOT_YET.keyPem()),
            "certificateChainPem[0]: \"CN=new.example\" (expected: a certificate valid now: it is"
                + " not valid before 2026-11-16T12:00:00Z (valid 2026-11-16T12:00:00Z to"
                + " 2027-02-13T12:00:00Z; now 2026-11-15T12:00:00Z))"),
        Arguments.of(
            "ten-mib-pem-is-never-parsed",
            spec(tenMiB, A.keyPem()),
            "certificateChainPem+privateKey: \""
                + (tenMiB.length() + A.keyPem().length())
                + " characters\" (expected: at most 1048576 characters (1 MiB) of PEM together)"),
        Arguments.of(
            "chain-in-the-wrong-order",
            spec(INTERMEDIATE.certPem() + LEAF.certPem(), LEAF.keyPem()),
            "certificateChainPem: \"the key's certificate is block 1 (CN=shop.example)\""
                + " (expected: the leaf, whose key this is, as the first block)"),
        Arguments.of(
            "intermediates-in-the-wrong-order",
            spec(LEAF.certPem() + ROOT.certPem() + INTERMEDIATE.certPem(), LEAF.keyPem()),
            "certificateChainPem[0]: \"CN=shop.example\" (expected: each certificate signed by"
                + " the next one; block 0 is signed by block 2 (CN=Test Intermediate), so the"
                + " chain is in the wrong order: list the leaf first, then its issuer, then that"
                + " issuer's issuer)"),
        Arguments.of(
            "missing-chain",
            spec(LEAF.certPem(), LEAF.keyPem()),
            "certificateChainPem: \"CN=shop.example issued by CN=Test Intermediate\" (expected:"
                + " the chain after the leaf: a leaf that is not self-signed needs at least its"
                + " issuer's certificate after it (the intermediates in order; add the root if it"
                + " issued the leaf directly))"),
        Arguments.of(
            "wrong-intermediate",
            spec(LEAF.certPem() + A.certPem(), LEAF.keyPem()),
            "certificateChainPem[0]: \"CN=shop.example\" (expected: each certificate signed by"
                + " the next one; block 1 (CN=a.example) did not sign block 0, which names its"
                + " issuer as CN=Test Intermediate)"),
        Arguments.of(
            "missing-dns-san",
            spec(NO_SAN.certPem(), NO_SAN.keyPem()),
            "certificateChainPem[0]: \"CN=nosan.example\" (expected: at least one DNS name in"
                + " subjectAltName (clients ignore the subject's CN))"),
        Arguments.of(
            "unsupported-dsa",
            spec(DSA.certPem(), DSA.keyPem()),
            "privateKey: \"PrivateKeyPem[redacted]\" (expected: an RSA (2048-8192 bits) or EC"
                + " (P-256, P-384) key; DSA, Ed25519, Ed448 and RSASSA-PSS keys are not served"
                + " (this is a DSA key))"),
        Arguments.of(
            "unsupported-ed25519",
            spec(ED25519.certPem(), ED25519.keyPem()),
            "(this is an Ed25519 key))"),
        Arguments.of(
            "unsupported-p521", spec(P521.certPem(), P521.keyPem()), "(this EC key is on P-521))"),
        Arguments.of(
            "encrypted-key",
            spec(A.certPem(), TestPki.pem("ENCRYPTED PRIVATE KEY", new byte[] {0x30, 0})),
            "privateKey: \"PrivateKeyPem[redacted]\" (expected: an unencrypted key; convert it"
                + " with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pkcs8.pem)"),
        Arguments.of(
            "malformed-pkcs1",
            spec(A.certPem(), TestPki.pem("RSA PRIVATE KEY", new byte[] {0x30, 0x05, 1})),
            "privateKey: \"PrivateKeyPem[redacted]\" (expected: a well-formed RSA PRIVATE KEY (its"
                + " DER did not parse); convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem"
                + " -out key.pkcs8.pem)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void refuses_with_a_precise_message(String name, CertificateSpec spec, String expected) {
    Validated<ValidCertificate> v = CertificateValidator.validate(spec, CLOCK);
    assertThat(v.isValid()).isFalse();
    assertThat(v.violations()).extracting(Violation::message).anyMatch(m -> m.contains(expected));
  }

  @Test
  void no_message_or_to_string_contains_key_material() {
    List<String> shown = new ArrayList<>();
    List<String> secrets = new ArrayList<>();
    refusals()
        .forEach(
            a -> {
              CertificateSpec spec = (CertificateSpec) a.get()[1];
              secrets.addAll(base64Lines(spec.privateKey().pem()));
              shown.add(spec.toString());
              shown.add(spec.privateKey().toString());
              CertificateValidator.validate(spec, CLOCK)
                  .violations()
                  .forEach(v -> shown.add(v.toString()));
            });
    Validated<ValidCertificate> ok = validate(A.certPem(), A.keyPem());
    shown.add(ok.value().toString());
    secrets.addAll(base64Lines(A.keyPem()));
    secrets.add(A.keyBase64());
    assertThat(secrets).hasSizeGreaterThan(20);
    for (String s : shown) {
      for (String secret : secrets) {
        assertThat(s).doesNotContain(secret);
      }
    }
    assertThat(new PrivateKeyPem(A.keyPem()).toString()).isEqualTo("PrivateKeyPem[redacted]");
  }

  private static List<String> base64Lines(String pem) {
    return pem.lines().filter(l -> !l.startsWith("-----") && l.length() >= 16).toList();
  }

  // --- coverage and a route's TLS settings ----------------------------------------------------

  @Test
  void wildcard_covers_exactly_one_label() {
    ValidCertificate c = validate(LEAF.certPem() + INTERMEDIATE.certPem(), LEAF.keyPem()).value();
    assertThat(CertificateValidator.coverage(c, "shop.example")).contains("shop.example");
    assertThat(CertificateValidator.coverage(c, "a.shop.example")).contains("*.shop.example");
    assertThat(CertificateValidator.coverage(c, "*.shop.example")).contains("*.shop.example");
    assertThat(CertificateValidator.coverage(c, "a.b.shop.example")).isEmpty();
    assertThat(CertificateValidator.coverage(c, "other.example")).isEmpty();
    assertThat(CertificateValidator.coverage(c, "*.example")).isEmpty();
  }

  @Test
  void tls_host_not_covered_names_the_host_and_the_certificate_names() {
    ValidCertificate c = validate(LEAF.certPem() + INTERMEDIATE.certPem(), LEAF.keyPem()).value();
    TlsSpec tls =
        new TlsSpec(
            List.of("Shop.Example", "api.shop.example", "a.b.shop.example"),
            "shop",
            HttpsRedirect.DEFAULT,
            Hsts.OFF);
    Validated<TlsSpec> v = CertificateValidator.validateTls(TenantId.of("acme"), tls, c);
    assertThat(v.violations())
        .extracting(Violation::message)
        .containsExactly(
            "tls.hosts[2]: \"a.b.shop.example\" (expected: a host that certificate 'acme/shop'"
                + " covers; its DNS names are shop.example, *.shop.example)");

    Validated<TlsSpec> fixed =
        CertificateValidator.validateTls(
            TenantId.of("acme"),
            TlsSpec.of(List.of("Shop.Example", "api.shop.example"), "shop"),
            c);
    assertThat(fixed.value().hosts()).containsExactly("shop.example", "api.shop.example");
    assertThat(fixed.value().redirect().status()).isEqualTo(308);
  }

  @Test
  void a_route_cannot_name_another_tenants_certificate() {
    ValidCertificate c = validate(LEAF.certPem() + INTERMEDIATE.certPem(), LEAF.keyPem()).value();
    Validated<TlsSpec> v =
        CertificateValidator.validateTls(
            TenantId.of("other"), TlsSpec.of(List.of("shop.example"), "shop"), c);
    assertThat(v.violations())
        .extracting(Violation::message)
        .containsExactly(
            "tls.certificateName: \"shop\" (expected: the name of a certificate of tenant"
                + " 'other')");
  }

  @Test
  void hsts_preload_needs_subdomains_and_a_year() {
    ValidCertificate c = validate(A.certPem(), A.keyPem()).value();
    TlsSpec tls =
        new TlsSpec(
            List.of("a.example"),
            "shop",
            HttpsRedirect.OFF,
            Hsts.of(Duration.ofDays(30), false, true));
    assertThat(CertificateValidator.validateTls(TenantId.of("acme"), tls, c).violations())
        .extracting(Violation::message)
        .containsExactly(
            "tls.hsts.preload: \"true\" (expected: includeSubDomains and a maxAge of at least 365"
                + " days, as preload lists require)");
    assertThat(Hsts.of(Duration.ofDays(365), true, true).headerValue())
        .isEqualTo("max-age=31536000; includeSubDomains; preload");
    assertThat(Hsts.OFF.headerValue()).isNull();
  }
}
