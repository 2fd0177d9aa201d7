package io.gatehouse.ocsp;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.jspecify.annotations.Nullable;

/**
 * OCSP requests and the checks a response must pass before it is stapled (RFC 6960), as pure
 * functions: what a certificate's responder is, the request for it, and the verdict on an answer at
 * a given time. Checked as nginx's {@code ssl_stapling_verify} does, and one step further (nginx
 * staples an unverified response when verification is off; Gatehouse never does):
 *
 * <ul>
 *   <li>the response is {@code successful} and a basic response;
 *   <li>it is signed by the issuer's key, or by a responder certificate in the response that the
 *       issuer signed, that carries {@code id-kp-OCSPSigning} and is valid now;
 *   <li>it has a single response for this certificate's id (issuer name and key hashes, serial);
 *   <li>the status is {@code good} (a revoked or unknown certificate is served without a staple: a
 *       client that asks learns nothing false, and the operator is told);
 *   <li>{@code thisUpdate} is not in the future (beyond the allowed skew) and {@code nextUpdate},
 *       when present, not in the past. Without a {@code nextUpdate} the response is used for at
 *       most {@link #NO_NEXT_UPDATE_VALIDITY} after {@code thisUpdate}.
 * </ul>
 */
public final class OcspResponses {
  /** How long a response without {@code nextUpdate} is stapled after its {@code thisUpdate}. */
  public static final Duration NO_NEXT_UPDATE_VALIDITY = Duration.ofHours(1);

  private static final DigestCalculatorProvider DIGESTS;

  static {
    try {
      DIGESTS = new JcaDigestCalculatorProviderBuilder().build();
    } catch (OperatorCreationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private OcspResponses() {}

  /** The first {@code http://} OCSP responder in {@code leaf}'s Authority Information Access. */
  public static Optional<URI> responder(X509Certificate leaf) {
    byte[] ext = leaf.getExtensionValue(Extension.authorityInfoAccess.getId());
    if (ext == null) {
      return Optional.empty();
    }
    try {
      AuthorityInformationAccess aia =
          AuthorityInformationAccess.getInstance(
              ASN1Primitive.fromByteArray(
                  org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets()));
      for (AccessDescription d : aia.getAccessDescriptions()) {
        GeneralName n = d.getAccessLocation();
        if (d.getAccessMethod().equals(AccessDescription.id_ad_ocsp)
            && n.getTagNo() == GeneralName.uniformResourceIdentifier) {
          String url = ASN1IA5String.getInstance(n.getName()).getString();
          URI uri = URI.create(url);
          if ("http".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null) {
            return Optional.of(uri);
          }
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** The id a request and its response name {@code leaf} by (SHA-1 hashes, as RFC 5019 asks). */
  public static CertificateID id(X509Certificate leaf, X509Certificate issuer) {
    try {
      return new CertificateID(
          DIGESTS.get(CertificateID.HASH_SHA1),
          new JcaX509CertificateHolder(issuer),
          leaf.getSerialNumber());
    } catch (OperatorCreationException | OCSPException | CertificateEncodingException e) {
      throw new IllegalArgumentException("cannot name the certificate for OCSP: " + e, e);
    }
  }

  /** A DER request for {@code id}, without a nonce (responders' cached answers are signed once). */
  public static byte[] request(CertificateID id) {
    try {
      return new OCSPReqBuilder().addRequest(id).build().getEncoded();
    } catch (OCSPException | IOException e) {
      throw new IllegalArgumentException("cannot build an OCSP request: " + e, e);
    }
  }

  /** What to make of a responder's answer. */
  public sealed interface Verdict {}

  /**
   * Staple {@code der} until {@code expires}.
   *
   * @param thisUpdate when the responder says the status was known
   * @param expires {@code nextUpdate}, or {@code thisUpdate} + {@link #NO_NEXT_UPDATE_VALIDITY}
   */
  public record Staple(byte[] der, Instant thisUpdate, Instant expires) implements Verdict {}

  /** Do not staple: {@code reason} says why, for the log and {@code /status}. */
  public record Refused(String reason) implements Verdict {}

  /**
   * The verdict on {@code der}, a responder's answer about {@code id}, at {@code now}.
   *
   * @param skew how far {@code thisUpdate} may be ahead of this node's clock
   */
  public static Verdict verdict(
      byte[] der, CertificateID id, X509Certificate issuer, Instant now, Duration skew) {
    OCSPResp resp;
    try {
      resp = new OCSPResp(der);
    } catch (IOException | RuntimeException e) {
      return new Refused("not an OCSP response");
    }
    if (resp.getStatus() != OCSPResp.SUCCESSFUL) {
      return new Refused("responder status " + status(resp.getStatus()));
    }
    BasicOCSPResp basic;
    try {
      Object o = resp.getResponseObject();
      if (!(o instanceof BasicOCSPResp b)) {
        return new Refused("not a basic OCSP response");
      }
      basic = b;
    } catch (OCSPException e) {
      return new Refused("unreadable response: " + e.getMessage());
    }
    String signer = signedByIssuerOrDelegate(basic, issuer, now);
    if (signer != null) {
      return new Refused(signer);
    }
    SingleResp single = null;
    for (SingleResp r : basic.getResponses()) {
      if (r.getCertID().equals(id)) {
        single = r;
        break;
      }
    }
    if (single == null) {
      return new Refused(
          "no status for this certificate (serial " + hex(id.getSerialNumber()) + ")");
    }
    CertificateStatus status = single.getCertStatus();
    if (status != CertificateStatus.GOOD) {
      return new Refused(
          status instanceof org.bouncycastle.cert.ocsp.RevokedStatus
              ? "certificate revoked"
              : "certificate status unknown to the responder");
    }
    Instant thisUpdate = single.getThisUpdate().toInstant();
    if (thisUpdate.isAfter(now.plus(skew))) {
      return new Refused("thisUpdate " + thisUpdate + " is in the future");
    }
    Date next = single.getNextUpdate();
    Instant expires = next != null ? next.toInstant() : thisUpdate.plus(NO_NEXT_UPDATE_VALIDITY);
    if (!expires.isAfter(now)) {
      return new Refused("stale: " + (next != null ? "nextUpdate " : "thisUpdate + 1h ") + expires);
    }
    return new Staple(der.clone(), thisUpdate, expires);
  }

  /** Null when the issuer or a delegated responder signed {@code basic}; else why not. */
  private static @Nullable String signedByIssuerOrDelegate(
      BasicOCSPResp basic, X509Certificate issuer, Instant now) {
    if (signedBy(basic, issuer)) {
      return null;
    }
    try {
      for (X509CertificateHolder holder : basic.getCerts()) {
        X509Certificate responder = new JcaX509CertificateConverter().getCertificate(holder);
        if (!responder.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
          continue;
        }
        try {
          responder.verify(issuer.getPublicKey());
        } catch (java.security.GeneralSecurityException e) {
          continue;
        }
        if (responder.getExtendedKeyUsage() == null
            || !responder.getExtendedKeyUsage().contains(KeyPurposeId.id_kp_OCSPSigning.getId())) {
          return "the responder certificate is not for OCSP signing";
        }
        try {
          responder.checkValidity(Date.from(now));
        } catch (CertificateException e) {
          return "the responder certificate is not valid now";
        }
        if (signedBy(basic, responder)) {
          return null;
        }
      }
      return "not signed by the issuer or a responder it delegated";
    } catch (CertificateException e) {
      return "responder certificate unreadable: " + e.getMessage();
    }
  }

  /** Whether {@code cert}'s key signed {@code basic} (false too for a key of another type). */
  private static boolean signedBy(BasicOCSPResp basic, X509Certificate cert) {
    try {
      ContentVerifierProvider v =
          new JcaContentVerifierProviderBuilder().build(cert.getPublicKey());
      return basic.isSignatureValid(v);
    } catch (OCSPException | OperatorCreationException | RuntimeException e) {
      return false;
    }
  }

  private static String status(int s) {
    return switch (s) {
      case OCSPResp.MALFORMED_REQUEST -> "malformedRequest";
      case OCSPResp.INTERNAL_ERROR -> "internalError";
      case OCSPResp.TRY_LATER -> "tryLater";
      case OCSPResp.SIG_REQUIRED -> "sigRequired";
      case OCSPResp.UNAUTHORIZED -> "unauthorized";
      default -> Integer.toString(s);
    };
  }

  private static String hex(BigInteger serial) {
    return serial.toString(16);
  }
}
