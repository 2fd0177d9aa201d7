package io.gatehouse.policy;

import io.gatehouse.model.ClientAuth;
import io.gatehouse.validate.CertificateValidator;
import io.gatehouse.validate.Validated;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.jspecify.annotations.Nullable;

/**
 * A route's client-certificate rule, compiled: the mode and the CA bundle as PKIX trust anchors.
 * The handshake accepts any certificate (one listener serves many hosts, each with its own CAs), so
 * this is where a client's chain is verified: against this route's CAs, at the current time, with
 * no revocation check, and a leaf whose extended key usage (when present) allows client
 * authentication, and at most the route's {@code verifyDepth} intermediates. With {@code
 * passCertificate} a verified leaf's PEM is kept in the result for the upstream. Pure JDK;
 * immutable and thread-safe.
 */
public final class ClientCertificateCheck {
  private static final String CLIENT_AUTH_EKU = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_EKU = "2.5.29.37.0";

  /** What a check found. */
  public enum Outcome {
    /** A chain to one of the route's CAs; {@link Result#subject()} is set. */
    VERIFIED,
    /** No certificate was sent. */
    ABSENT,
    /** A certificate was sent and does not verify. */
    REFUSED
  }

  /**
   * @param subject the leaf's subject (RFC 2253) ready for a header, or null
   * @param sha256 the leaf's SHA-256, lower-case hex, or null
   * @param certificate the verified leaf as PEM, URL-encoded, for {@link
   *     ClientAuth#CERTIFICATE_HEADER}; null unless the route passes the certificate on
   */
  public record Result(
      Outcome outcome,
      @Nullable String subject,
      @Nullable String sha256,
      @Nullable String certificate) {
    static final Result ABSENT = new Result(Outcome.ABSENT, null, null);
    static final Result REFUSED = new Result(Outcome.REFUSED, null, null);

    public Result(Outcome outcome, @Nullable String subject, @Nullable String sha256) {
      this(outcome, subject, sha256, null);
    }

    /** Names the outcome and subject; the certificate's text is left out. */
    @Override
    public String toString() {
      return "Result[" + outcome + ", " + subject + (certificate == null ? "" : ", passed") + "]";
    }
  }

  private final ClientAuth.Mode mode;
  private final Set<TrustAnchor> anchors;
  private final Set<X509Certificate> anchorCerts;
  private final int verifyDepth;
  private final boolean passCertificate;

  private ClientCertificateCheck(
      ClientAuth.Mode mode, List<X509Certificate> cas, int verifyDepth, boolean passCertificate) {
    this.mode = mode;
    this.verifyDepth = verifyDepth;
    this.passCertificate = passCertificate;
    Set<TrustAnchor> a = new HashSet<>();
    for (X509Certificate c : cas) {
      a.add(new TrustAnchor(c, null));
    }
    this.anchors = Set.copyOf(a);
    this.anchorCerts = Set.copyOf(cas);
  }

  /** The check for {@code auth}, or the violations of its CA bundle. */
  public static Validated<ClientCertificateCheck> of(ClientAuth auth) {
    // A validated route has a bundle whenever its mode asks for one; a missing one is refused.
    String pem = auth.caBundlePem();
    Validated<List<X509Certificate>> cas =
        CertificateValidator.validateCaBundle("tls.clientAuth.caBundlePem", pem);
    List<X509Certificate> certificates = cas.value(); // null exactly when not valid
    if (certificates == null) {
      return Validated.failed(cas.violations());
    }
    return Validated.ok(
        new ClientCertificateCheck(
            auth.mode(), certificates, auth.verifyDepth(), auth.passCertificate()));
  }

  public boolean required() {
    return mode == ClientAuth.Mode.REQUIRED;
  }

  /** Verifies the chain a client sent (leaf first); null or empty means none was sent. */
  public Result check(java.security.cert.Certificate @Nullable [] peerChain) {
    if (peerChain == null || peerChain.length == 0) {
      return Result.ABSENT;
    }
    List<X509Certificate> path = new ArrayList<>(peerChain.length);
    for (java.security.cert.Certificate c : peerChain) {
      if (!(c instanceof X509Certificate x)) {
        return Result.REFUSED;
      }
      // A CA the client sent along is an anchor, not part of the path to validate.
      if (!path.isEmpty() && anchorCerts.contains(x)) {
        break;
      }
      path.add(x);
    }
    X509Certificate leaf = path.get(0);
    // ingress-nginx's auth-tls-verify-depth: the certificates between the leaf and a CA of the
    // bundle (the client's intermediates) may number at most verifyDepth; 0 sets no limit.
    if (verifyDepth > 0 && path.size() - 1 > verifyDepth) {
      return Result.REFUSED;
    }
    try {
      List<String> eku = leaf.getExtendedKeyUsage();
      if (eku != null && !eku.contains(CLIENT_AUTH_EKU) && !eku.contains(ANY_EKU)) {
        return Result.REFUSED;
      }
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX")
          .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
      return new Result(
          Outcome.VERIFIED,
          headerSafe(leaf.getSubjectX500Principal().getName(X500Principal.RFC2253)),
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded())),
          passCertificate ? escapedPem(leaf.getEncoded()) : null);
    } catch (GeneralSecurityException | RuntimeException e) {
      return Result.REFUSED;
    }
  }

  /**
   * The certificate as PEM (64-character lines, LF, a final LF, as OpenSSL writes it), with every
   * byte but the URI-unreserved ones percent-encoded: what nginx's {@code $ssl_client_escaped_cert}
   * gives ingress-nginx's {@code ssl-client-cert}, so an upstream that decodes one decodes the
   * other.
   */
  static String escapedPem(byte[] der) {
    String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    String pem = "-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n";
    return UriEscapes.unreserved(pem);
  }

  /**
   * Percent-encodes '%' and every byte outside printable ASCII (UTF-8), so the value is a token.
   */
  static String headerSafe(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f && c != '%') {
        if (b != null) {
          b.append(c);
        }
        continue;
      }
      if (b == null) {
        b = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
      for (byte x : s.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
        b.append('%').append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xf, 16)));
        b.append(Character.toUpperCase(Character.forDigit(x & 0xf, 16)));
      }
      i = end - 1;
    }
    return b == null ? s : b.toString();
  }
}
