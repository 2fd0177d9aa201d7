package io.gatehouse.validate;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.ClientAuth;
import io.gatehouse.model.Hsts;
import io.gatehouse.model.KeyCertPem;
import io.gatehouse.model.TenantId;
import io.gatehouse.model.TlsSpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks a certificate when it is added and returns it parsed, or every violation found. Pure JDK;
 * nothing is thrown for bad input, and no message ever contains key material: a key is shown as
 * {@code PrivateKeyPem[redacted]}, certificates by their subject.
 *
 * <p>Accepted keys are RSA of 2048-8192 bits and EC on P-256 or P-384, as PKCS#8 ({@code BEGIN
 * PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}),
 * unencrypted. Refused: DSA (not in TLS 1.3, not accepted by browsers), Ed25519 and Ed448 (no
 * browser accepts EdDSA certificates), RSASSA-PSS keys (rare; not every client and engine signs
 * with them), P-521 (Chrome does not verify it) and encrypted keys.
 *
 * <p>The chain is the leaf first, then each intermediate, each certificate signed by the next (the
 * root may be left out). A self-signed leaf may stand alone; any other leaf must be followed by at
 * least its issuer, even when that issuer is a root, because a leaf alone cannot be told apart from
 * a chain whose intermediates were forgotten.
 */
public final class CertificateValidator {
  /** Chain and key together; larger input is refused before it is parsed. */
  public static final int MAX_PEM_CHARS = 1024 * 1024;

  public static final int MAX_CHAIN = 10;
  public static final int MIN_RSA_BITS = 2048;
  public static final int MAX_RSA_BITS = 8192;

  static final String REDACTED = "PrivateKeyPem[redacted]";
  private static final String TO_PKCS8 =
      "convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pkcs8.pem";
  private static final String KEY_RULE =
      "an RSA (2048-8192 bits) or EC (P-256, P-384) key; DSA, Ed25519, Ed448 and RSASSA-PSS keys"
          + " are not served";
  private static final byte[] CHALLENGE =
      "gatehouse key-pair check".getBytes(StandardCharsets.US_ASCII);

  private CertificateValidator() {}

  public static Validated<ValidCertificate> validate(CertificateSpec spec, Clock clock) {
    return validate(spec, clock, true);
  }

  /**
   * As {@link #validate(CertificateSpec, Clock)}; with {@code dnsNameRequired} false a leaf without
   * any DNS name in subjectAltName is accepted too. Such a certificate covers no host: it can only
   * be a socket's default certificate (a Gateway listener without a hostname, whose Secret the user
   * may fill with any certificate, e.g. {@code CN=default}), never a name's.
   */
  public static Validated<ValidCertificate> validate(
      CertificateSpec spec, Clock clock, boolean dnsNameRequired) {
    List<Violation> out = new ArrayList<>();
    checkKey(spec.key(), out);
    String chainPem = spec.certificateChainPem();
    String keyPem = spec.privateKey().pem();
    long total = (long) chainPem.length() + keyPem.length();
    if (total > MAX_PEM_CHARS) {
      out.add(
          new Violation(
              "certificateChainPem+privateKey",
              total + " characters",
              "at most " + MAX_PEM_CHARS + " characters (1 MiB) of PEM together"));
      return Validated.failed(out);
    }
    List<X509Certificate> chain = parseChain(chainPem, out);
    ParsedKey key = parseKey(keyPem, out);
    if (chain.isEmpty() || key == null) {
      return Validated.failed(out);
    }
    X509Certificate leaf = chain.get(0);
    checkLeafKeyType(leaf, out);
    checkKeyMatches(chain, key, out);
    checkDates(chain, clock.instant(), out);
    checkOrder(chain, out);
    List<String> dnsNames = dnsNames(leaf, dnsNameRequired, out);
    if (!out.isEmpty()) {
      return Validated.failed(out);
    }
    return Validated.ok(
        new ValidCertificate(
            spec.key(),
            chain,
            key.key(),
            key.type(),
            dnsNames,
            leaf.getSubjectX500Principal().getName(),
            leaf.getIssuerX500Principal().getName(),
            leaf.getNotBefore().toInstant(),
            leaf.getNotAfter().toInstant(),
            fingerprint(leaf)));
  }

  /**
   * The DNS name of {@code cert} that covers {@code host}: the same name, or a wildcard {@code
   * *.example.com} when {@code host} is exactly one label more ({@code a.example.com}, not {@code
   * a.b.example.com} nor {@code example.com}). A wildcard host is covered only by the same
   * wildcard. {@code host} must be normalised (lower-case, no port, no trailing dot).
   */
  public static Optional<String> coverage(ValidCertificate cert, String host) {
    return coverage(cert.dnsNames(), host);
  }

  static Optional<String> coverage(List<String> dnsNames, String host) {
    if (dnsNames.contains(host)) {
      return Optional.of(host);
    }
    if (host.startsWith("*.")) {
      return Optional.empty();
    }
    String suffix = Hostnames.wildcardSuffix(host);
    if (suffix == null || suffix.indexOf('.') < 0) {
      return Optional.empty();
    }
    String wildcard = "*." + suffix;
    return dnsNames.contains(wildcard) ? Optional.of(wildcard) : Optional.empty();
  }

  /**
   * Checks a route's TLS settings against the certificate they name: its hosts normalised, each
   * covered by the certificate, which must belong to the route's tenant; HSTS in range. {@code
   * cert} is null when the tenant has no certificate of that name.
   */
  public static Validated<TlsSpec> validateTls(
      TenantId routeTenant, TlsSpec spec, @Nullable ValidCertificate cert) {
    List<Violation> out = new ArrayList<>();
    CertificateKey wanted = spec.certificateKey(routeTenant);
    if (cert == null || !cert.key().equals(wanted)) {
      out.add(
          new Violation(
              "tls.certificateName",
              spec.certificateName(),
              "the name of a certificate of tenant '" + routeTenant + "'"));
    }
    if (spec.hosts().isEmpty()) {
      out.add(new Violation("tls.hosts", "[]", "at least one host served over HTTPS"));
    }
    if (spec.hosts().size() > RouteValidator.MAX_HOSTS) {
      out.add(
          new Violation(
              "tls.hosts", spec.hosts().size() + " hosts", "at most " + RouteValidator.MAX_HOSTS));
      return Validated.failed(out);
    }
    Set<String> hosts = new LinkedHashSet<>();
    for (int i = 0; i < spec.hosts().size(); i++) {
      String field = "tls.hosts[" + i + "]";
      Validated<String> h = Hostnames.normalizeConfigured(field, spec.hosts().get(i));
      String host = h.value();
      if (host == null) {
        out.addAll(h.violations());
        continue;
      }
      if (!hosts.add(host)) {
        out.add(new Violation(field, spec.hosts().get(i), "each host listed once"));
        continue;
      }
      if (cert != null && coverage(cert, host).isEmpty()) {
        out.add(
            new Violation(
                field,
                host,
                "a host that certificate '"
                    + cert.key()
                    + "' covers; its DNS names are "
                    + String.join(", ", cert.dnsNames())));
      }
    }
    hsts(spec.hsts(), out);
    clientAuth(spec.clientAuth(), out);
    if (!out.isEmpty()) {
      return Validated.failed(out);
    }
    return Validated.ok(
        new TlsSpec(
            List.copyOf(hosts),
            spec.certificateName(),
            spec.redirect(),
            spec.hsts(),
            spec.clientAuth()));
  }

  /** CA certificates in a trust bundle; more than a served chain, as a system bundle holds. */
  public static final int MAX_CA_BUNDLE = 500;

  /**
   * A CA bundle: one or more parsable {@code CERTIFICATE} blocks and nothing else. Dates are not
   * checked here: an expired CA is a runtime verification failure, not a malformed setting.
   */
  static List<X509Certificate> caBundle(String field, @Nullable String pem, List<Violation> out) {
    if (pem == null || pem.isBlank()) {
      out.add(
          new Violation(field, pem == null ? null : "", "one or more -----BEGIN CERTIFICATE-----"));
      return List.of();
    }
    if (pem.length() > MAX_PEM_CHARS) {
      out.add(
          new Violation(
              field, pem.length() + " characters", "at most " + MAX_PEM_CHARS + " characters"));
      return List.of();
    }
    List<Pem.Block> blocks;
    try {
      blocks = Pem.parse(pem);
    } catch (Pem.PemException e) {
      out.add(new Violation(field, e.getMessage(), "well-formed PEM"));
      return List.of();
    }
    if (blocks.isEmpty()) {
      out.add(
          new Violation(
              field,
              pem.length() + " characters without a PEM block",
              "one or more -----BEGIN CERTIFICATE----- blocks"));
      return List.of();
    }
    if (blocks.size() > MAX_CA_BUNDLE) {
      out.add(
          new Violation(field, blocks.size() + " blocks", "at most " + MAX_CA_BUNDLE + " blocks"));
      return List.of();
    }
    List<X509Certificate> certs = new ArrayList<>();
    int before = out.size();
    for (Pem.Block b : blocks) {
      String f = field + "[" + b.index() + "]";
      if (!b.label().equals("CERTIFICATE")) {
        // Never show the block: it may be a private key pasted into the wrong field.
        out.add(
            new Violation(
                f,
                "BEGIN " + b.label(),
                b.label().contains("PRIVATE KEY")
                    ? "a CERTIFICATE block; a CA bundle holds no private key"
                    : "a CERTIFICATE block"));
        continue;
      }
      try {
        certs.add((X509Certificate) x509().generateCertificate(new ByteArrayInputStream(b.der())));
      } catch (CertificateException | RuntimeException e) {
        out.add(new Violation(f, "BEGIN CERTIFICATE", "a parsable X.509 certificate (DER)"));
      }
    }
    return out.size() == before ? certs : List.of();
  }

  /**
   * A certificate chain and key that Gatehouse presents as a client: the same checks as a served
   * certificate (parsable, accepted key type, key matches the leaf, chain in order) except dates
   * and DNS names. Violations are named under {@code prefix}, e.g. {@code
   * backend.tls.clientCertificate.privateKey}; the key is never shown.
   */
  static void clientCertificate(String prefix, KeyCertPem pair, List<Violation> out) {
    parseClientCertificate(prefix, pair, out);
  }

  /** A client certificate parsed for use, or the violations (as {@link #clientCertificate}). */
  public static Validated<ValidKeyCert> validateClientCertificate(String prefix, KeyCertPem pair) {
    List<Violation> out = new ArrayList<>();
    ValidKeyCert v = parseClientCertificate(prefix, pair, out);
    return out.isEmpty() && v != null ? Validated.ok(v) : Validated.failed(out);
  }

  /** A CA bundle parsed for use, or the violations named under {@code field}. */
  public static Validated<List<X509Certificate>> validateCaBundle(
      String field, @Nullable String pem) {
    List<Violation> out = new ArrayList<>();
    List<X509Certificate> certs = caBundle(field, pem, out);
    return out.isEmpty() ? Validated.ok(certs) : Validated.failed(out);
  }

  private static @Nullable ValidKeyCert parseClientCertificate(
      String prefix, KeyCertPem pair, List<Violation> out) {
    List<Violation> found = new ArrayList<>();
    List<X509Certificate> chain = List.of();
    ParsedKey key = null;
    long total = (long) pair.certificateChainPem().length() + pair.privateKey().pem().length();
    if (total > MAX_PEM_CHARS) {
      found.add(
          new Violation(
              "certificateChainPem+privateKey",
              total + " characters",
              "at most " + MAX_PEM_CHARS + " characters (1 MiB) of PEM together"));
    } else {
      chain = parseChain(pair.certificateChainPem(), found);
      key = parseKey(pair.privateKey().pem(), found);
      if (!chain.isEmpty() && key != null) {
        checkLeafKeyType(chain.get(0), found);
        checkKeyMatches(chain, key, found);
        // a client certificate may be the leaf alone: the upstream verifies it against its own
        // CAs, which hold the issuer (the Gateway API suite's client Secret is such a leaf)
        if (chain.size() > 1) {
          checkOrder(chain, found);
        }
      }
    }
    for (Violation v : found) {
      out.add(new Violation(prefix + v.field(), v.value(), v.rule()));
    }
    return found.isEmpty() ? new ValidKeyCert(chain, Objects.requireNonNull(key).key()) : null;
  }

  private static CertificateFactory x509() {
    try {
      return CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
    }
  }

  /** The longest chain {@code verifyDepth} may allow (ingress-nginx: any; 10 is plenty). */
  public static final int MAX_VERIFY_DEPTH = 10;

  /** A mode with a CA bundle to verify against, or NONE without one. */
  static void clientAuth(ClientAuth clientAuth, List<Violation> out) {
    if (clientAuth.verifyDepth() > MAX_VERIFY_DEPTH) {
      out.add(
          new Violation(
              "tls.clientAuth.verifyDepth",
              Integer.toString(clientAuth.verifyDepth()),
              "0 (no limit) to " + MAX_VERIFY_DEPTH));
    }
    if (!clientAuth.enabled()) {
      if (clientAuth.passCertificate() || clientAuth.verifyDepth() != 0) {
        out.add(
            new Violation(
                "tls.clientAuth.mode",
                "NONE",
                "mode OPTIONAL or REQUIRED with verifyDepth or passCertificate (there is no"
                    + " certificate to check or pass)"));
      }
      if (clientAuth.caBundlePem() != null) {
        out.add(
            new Violation(
                "tls.clientAuth.caBundlePem",
                clientAuth.caBundlePem().length() + " characters",
                "no CA bundle with mode NONE (set mode OPTIONAL or REQUIRED)"));
      }
      return;
    }
    caBundle("tls.clientAuth.caBundlePem", clientAuth.caBundlePem(), out);
  }

  static void hsts(Hsts hsts, List<Violation> out) {
    if (!hsts.enabled()) {
      return;
    }
    if (hsts.maxAge().isNegative() || hsts.maxAge().compareTo(Hsts.MAX_MAX_AGE) > 0) {
      out.add(
          new Violation(
              "tls.hsts.maxAge",
              hsts.maxAge().toString(),
              "0 seconds up to 2147483647s (68 years)"));
    }
    if (hsts.preload()
        && (!hsts.includeSubDomains() || hsts.maxAge().compareTo(Hsts.PRELOAD_MIN_MAX_AGE) < 0)) {
      out.add(
          new Violation(
              "tls.hsts.preload",
              "true",
              "includeSubDomains and a maxAge of at least 365 days, as preload lists require"));
    }
  }

  private static void checkKey(CertificateKey key, List<Violation> out) {
    if (!RouteValidator.TENANT.matcher(key.tenant().value()).matches()) {
      out.add(
          new Violation(
              "tenant", key.tenant().value(), "a DNS label: a-z, 0-9 and '-', 1-63 characters"));
    }
    if (!RouteValidator.NAME.matcher(key.name()).matches()) {
      out.add(
          new Violation(
              "name",
              key.name(),
              "a-z, 0-9, '-', '.' and '_', 1-253 characters, alphanumeric ends"));
    }
  }

  // --- the chain ---------------------------------------------------------------------------

  private static List<X509Certificate> parseChain(String pem, List<Violation> out) {
    List<Pem.Block> blocks;
    try {
      blocks = Pem.parse(pem);
    } catch (Pem.PemException e) {
      out.add(new Violation("certificateChainPem", e.getMessage(), "well-formed PEM"));
      return List.of();
    }
    if (blocks.isEmpty()) {
      out.add(
          new Violation(
              "certificateChainPem",
              pem.length() + " characters without a PEM block",
              "one or more -----BEGIN CERTIFICATE----- blocks, the leaf first"));
      return List.of();
    }
    if (blocks.size() > MAX_CHAIN) {
      out.add(
          new Violation(
              "certificateChainPem",
              blocks.size() + " blocks",
              "at most " + MAX_CHAIN + " blocks"));
      return List.of();
    }
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
    }
    List<X509Certificate> chain = new ArrayList<>();
    for (Pem.Block b : blocks) {
      String field = "certificateChainPem[" + b.index() + "]";
      if (!b.label().equals("CERTIFICATE")) {
        // Never show the block: a private key pasted into the wrong field is the usual cause.
        out.add(
            new Violation(
                field,
                "BEGIN " + b.label(),
                b.label().contains("PRIVATE KEY")
                    ? "a CERTIFICATE block; the private key belongs in privateKey"
                    : "a CERTIFICATE block"));
        continue;
      }
      try {
        chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
      } catch (CertificateException | RuntimeException e) {
        out.add(new Violation(field, "BEGIN CERTIFICATE", "a parsable X.509 certificate (DER)"));
      }
    }
    return out.isEmpty() ? chain : List.of();
  }

  private static void checkLeafKeyType(X509Certificate leaf, List<Violation> out) {
    PublicKey pub = leaf.getPublicKey();
    String alg = pub.getAlgorithm();
    if (pub instanceof RSAPublicKey rsa && alg.equals("RSA")) {
      int bits = rsa.getModulus().bitLength();
      if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
        out.add(
            new Violation(
                "certificateChainPem[0]",
                subject(leaf) + ": RSA " + bits + " bits",
                "an RSA key of " + MIN_RSA_BITS + "-" + MAX_RSA_BITS + " bits"));
      }
    } else if (pub instanceof ECPublicKey ec) {
      String curve = curveName(ec.getParams().getCurve().getField().getFieldSize());
      if (curve == null) {
        out.add(
            new Violation(
                "certificateChainPem[0]",
                subject(leaf) + ": EC " + ec.getParams().getCurve().getField().getFieldSize(),
                KEY_RULE));
      }
    } else {
      out.add(new Violation("certificateChainPem[0]", subject(leaf) + ": " + alg, KEY_RULE));
    }
  }

  private static @Nullable String curveName(int fieldSize) {
    return switch (fieldSize) {
      case 256 -> "P-256";
      case 384 -> "P-384";
      default -> null;
    };
  }

  private static void checkKeyMatches(
      List<X509Certificate> chain, ParsedKey key, List<Violation> out) {
    if (matches(chain.get(0).getPublicKey(), key.key())) {
      return;
    }
    for (int i = 1; i < chain.size(); i++) {
      if (matches(chain.get(i).getPublicKey(), key.key())) {
        out.add(
            new Violation(
                "certificateChainPem",
                "the key's certificate is block " + i + " (" + subject(chain.get(i)) + ")",
                "the leaf, whose key this is, as the first block"));
        return;
      }
    }
    out.add(
        new Violation(
            "privateKey",
            REDACTED,
            "the private key of the leaf certificate " + subject(chain.get(0))));
  }

  /** RSA: same modulus and exponent. EC: same curve, and a signature the leaf's key verifies. */
  private static boolean matches(PublicKey pub, PrivateKey priv) {
    if (pub instanceof RSAPublicKey rsaPub && priv instanceof RSAPrivateKey rsaPriv) {
      if (!rsaPub.getModulus().equals(rsaPriv.getModulus())) {
        return false;
      }
      return !(priv instanceof RSAPrivateCrtKey crt)
          || crt.getPublicExponent().equals(rsaPub.getPublicExponent());
    }
    if (pub instanceof ECPublicKey ecPub && priv instanceof ECPrivateKey ecPriv) {
      if (!ecPub.getParams().getOrder().equals(ecPriv.getParams().getOrder())) {
        return false;
      }
      // The JDK cannot derive an EC public point from the private scalar: prove the pair instead.
      try {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(ecPriv);
        s.update(CHALLENGE);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance("SHA256withECDSA");
        v.initVerify(ecPub);
        v.update(CHALLENGE);
        return v.verify(sig);
      } catch (GeneralSecurityException e) {
        return false;
      }
    }
    return false;
  }

  private static void checkDates(List<X509Certificate> chain, Instant now, List<Violation> out) {
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate c = chain.get(i);
      Instant notBefore = c.getNotBefore().toInstant();
      Instant notAfter = c.getNotAfter().toInstant();
      String field = "certificateChainPem[" + i + "]";
      if (now.isAfter(notAfter)) {
        out.add(
            new Violation(
                field,
                subject(c),
                "a certificate valid now: it expired at "
                    + notAfter
                    + " (valid "
                    + notBefore
                    + " to "
                    + notAfter
                    + "; now "
                    + now
                    + ")"));
      } else if (now.isBefore(notBefore)) {
        out.add(
            new Violation(
                field,
                subject(c),
                "a certificate valid now: it is not valid before "
                    + notBefore
                    + " (valid "
                    + notBefore
                    + " to "
                    + notAfter
                    + "; now "
                    + now
                    + ")"));
      }
    }
  }

  private static void checkOrder(List<X509Certificate> chain, List<Violation> out) {
    X509Certificate leaf = chain.get(0);
    if (chain.size() == 1) {
      if (!signs(leaf, leaf)) {
        out.add(
            new Violation(
                "certificateChainPem",
                subject(leaf) + " issued by " + leaf.getIssuerX500Principal().getName(),
                "the chain after the leaf: a leaf that is not self-signed needs at least its"
                    + " issuer's certificate after it (the intermediates in order; add the root if"
                    + " it issued the leaf directly)"));
      }
      return;
    }
    for (int i = 0; i + 1 < chain.size(); i++) {
      X509Certificate cert = chain.get(i);
      if (signs(chain.get(i + 1), cert)) {
        continue;
      }
      int issuer = -1;
      for (int j = 0; j < chain.size(); j++) {
        if (j != i + 1 && signs(chain.get(j), cert)) {
          issuer = j;
          break;
        }
      }
      String rule =
          issuer >= 0
              ? "each certificate signed by the next one; block "
                  + i
                  + " is signed by block "
                  + issuer
                  + " ("
                  + subject(chain.get(issuer))
                  + "), so the chain is in the wrong order: list the leaf first, then its issuer,"
                  + " then that issuer's issuer"
              : "each certificate signed by the next one; block "
                  + (i + 1)
                  + " ("
                  + subject(chain.get(i + 1))
                  + ") did not sign block "
                  + i
                  + ", which names its issuer as "
                  + cert.getIssuerX500Principal().getName();
      out.add(new Violation("certificateChainPem[" + i + "]", subject(cert), rule));
      return;
    }
  }

  /** True when {@code issuer} is named as the issuer of {@code cert} and its key verifies it. */
  private static boolean signs(X509Certificate issuer, X509Certificate cert) {
    if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      return false;
    }
    try {
      cert.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static List<String> dnsNames(
      X509Certificate leaf, boolean required, List<Violation> out) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      List<String> raw = new ArrayList<>();
      if (sans != null) {
        for (List<?> san : sans) {
          if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0))) {
            raw.add(String.valueOf(san.get(1)));
          }
        }
      } else {
        // the JDK drops an extension with one entry it cannot parse: read its DNS names directly
        List<String> read = SanDnsNames.read(leaf.getExtensionValue("2.5.29.17"));
        raw.addAll(read == null ? List.of() : read);
      }
      for (String r : raw) {
        String name = r.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
          name = name.substring(0, name.length() - 1);
        }
        if (!names.contains(name)) {
          names.add(name);
        }
      }
    } catch (CertificateParsingException e) {
      out.add(
          new Violation(
              "certificateChainPem[0]", subject(leaf), "a parsable subjectAltName extension"));
      return names;
    }
    if (names.isEmpty() && required) {
      out.add(
          new Violation(
              "certificateChainPem[0]",
              subject(leaf),
              "at least one DNS name in subjectAltName (clients ignore the subject's CN)"));
    }
    return names;
  }

  private static String subject(X509Certificate c) {
    return c.getSubjectX500Principal().getName();
  }

  private static String fingerprint(X509Certificate c) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  // --- the key -----------------------------------------------------------------------------

  private record ParsedKey(PrivateKey key, String type) {}

  private static @Nullable ParsedKey parseKey(String pem, List<Violation> out) {
    List<Pem.Block> blocks;
    try {
      blocks = Pem.parse(pem);
    } catch (Pem.PemException e) {
      out.add(new Violation("privateKey", REDACTED, "well-formed PEM: " + e.getMessage()));
      return null;
    }
    // OpenSSL writes "EC PARAMETERS" before a SEC1 key; it adds nothing the key does not name.
    blocks = blocks.stream().filter(b -> !b.label().equals("EC PARAMETERS")).toList();
    if (blocks.size() != 1) {
      out.add(
          new Violation(
              "privateKey",
              REDACTED,
              "exactly one -----BEGIN PRIVATE KEY----- block (found " + blocks.size() + ")"));
      return null;
    }
    Pem.Block b = blocks.get(0);
    try {
      return switch (b.label()) {
        case "PRIVATE KEY" -> pkcs8(b.der(), out);
        case "RSA PRIVATE KEY" -> keyOf("RSA", Der.pkcs1ToPkcs8(b.der()), out);
        case "EC PRIVATE KEY" -> sec1(b.der(), out);
        case "ENCRYPTED PRIVATE KEY" -> refuse(out, "an unencrypted key; " + TO_PKCS8);
        case "DSA PRIVATE KEY" -> refuse(out, KEY_RULE + " (this is a DSA key)");
        case "OPENSSH PRIVATE KEY" ->
            refuse(out, "an X.509 key in PEM, not an OpenSSH key; " + TO_PKCS8);
        default ->
            refuse(out, "a BEGIN PRIVATE KEY block (found BEGIN " + b.label() + "); " + TO_PKCS8);
      };
    } catch (Der.DerException e) {
      return refuse(out, "a well-formed " + b.label() + " (its DER did not parse); " + TO_PKCS8);
    }
  }

  private static @Nullable ParsedKey pkcs8(byte[] der, List<Violation> out)
      throws Der.DerException {
    Der.KeyAlgorithm alg = Der.pkcs8Algorithm(der);
    return switch (alg.oid()) {
      case Der.RSA_ENCRYPTION -> keyOf("RSA", der, out);
      case Der.EC_PUBLIC_KEY -> checkCurve(alg.curve(), out) ? keyOf("EC", der, out) : null;
      case Der.DSA -> refuse(out, KEY_RULE + " (this is a DSA key)");
      case Der.ED25519 -> refuse(out, KEY_RULE + " (this is an Ed25519 key)");
      case Der.ED448 -> refuse(out, KEY_RULE + " (this is an Ed448 key)");
      case Der.RSASSA_PSS -> refuse(out, KEY_RULE + " (this is an RSASSA-PSS key)");
      default -> refuse(out, KEY_RULE + " (this key's algorithm is " + alg.oid() + ")");
    };
  }

  private static @Nullable ParsedKey sec1(byte[] der, List<Violation> out) throws Der.DerException {
    Der.KeyAlgorithm alg = Der.sec1Curve(der);
    if (alg.curve() == null) {
      return refuse(out, "an EC key that names its curve; " + TO_PKCS8);
    }
    return checkCurve(alg.curve(), out)
        ? keyOf("EC", Der.sec1ToPkcs8(der, alg.curve()), out)
        : null;
  }

  private static boolean checkCurve(@Nullable String curve, List<Violation> out) {
    if (Der.SECP256R1.equals(curve) || Der.SECP384R1.equals(curve)) {
      return true;
    }
    String name = Der.SECP521R1.equals(curve) ? "P-521" : String.valueOf(curve);
    refuse(out, KEY_RULE + " (this EC key is on " + name + ")");
    return false;
  }

  private static @Nullable ParsedKey keyOf(String type, byte[] pkcs8, List<Violation> out) {
    try {
      PrivateKey key = KeyFactory.getInstance(type).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      if (key instanceof RSAPrivateKey rsa) {
        int bits = rsa.getModulus().bitLength();
        if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
          return refuse(out, KEY_RULE + " (this RSA key has " + bits + " bits)");
        }
      }
      return new ParsedKey(key, type);
    } catch (GeneralSecurityException | RuntimeException e) {
      // The provider's message is not shown: it is not guaranteed to leave the key out.
      return refuse(out, "a well-formed " + type + " private key (its DER did not parse)");
    }
  }

  private static @Nullable ParsedKey refuse(List<Violation> out, String rule) {
    out.add(new Violation("privateKey", REDACTED, rule));
    return null;
  }
}
