package io.gatehouse.admin.translate;

import io.gatehouse.model.CertificateKey;
import io.gatehouse.model.CertificateSpec;
import io.gatehouse.model.PrivateKeyPem;
import io.gatehouse.validate.Violation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A certificate upload to a {@link CertificateSpec}, and a stored spec to its public metadata. The
 * metadata is read from the leaf only: no field of the answer is derived from the key.
 */
public final class CertificateJson {
  private CertificateJson() {}

  public static CertificateSpec fromJson(CertificateKey key, JsonObject body) {
    return new CertificateSpec(
        key,
        body.getString("certificateChainPem", ""),
        new PrivateKeyPem(body.getString("privateKeyPem", "")));
  }

  /**
   * A certificate violation at its body pointer: the chain's blocks are one field, {@code
   * certificateChainPem}, and the key is {@code privateKeyPem}.
   */
  public static FieldError fieldError(Violation v) {
    String f = v.field();
    String pointer =
        f.startsWith("certificateChainPem")
            ? "/certificateChainPem"
            : f.equals("privateKey") ? "/privateKeyPem" : "/" + f;
    return new FieldError(pointer, v.value(), v.rule());
  }

  /** Metadata of a stored (validated) certificate. */
  public static JsonObject toJson(CertificateSpec spec, long revision) {
    X509Certificate leaf = leaf(spec.certificateChainPem());
    JsonObject json =
        new JsonObject()
            .put("name", spec.key().name())
            .put("tenant", spec.key().tenant().value())
            .put("revision", revision);
    if (leaf == null) {
      // Only validated certificates are stored; this is a table written by something else.
      return json.put("dnsNames", new JsonArray())
          .put("subject", "")
          .put("issuer", "")
          .put("notBefore", "1970-01-01T00:00:00Z")
          .put("notAfter", "1970-01-01T00:00:00Z")
          .put("sha256Fingerprint", "");
    }
    return json.put("dnsNames", new JsonArray(dnsNames(leaf)))
        .put("subject", leaf.getSubjectX500Principal().getName())
        .put("issuer", leaf.getIssuerX500Principal().getName())
        .put("notBefore", leaf.getNotBefore().toInstant().toString())
        .put("notAfter", leaf.getNotAfter().toInstant().toString())
        .put("sha256Fingerprint", fingerprint(leaf));
  }

  private static @Nullable X509Certificate leaf(String chainPem) {
    int end = chainPem.indexOf("-----END CERTIFICATE-----");
    if (end < 0) {
      return null;
    }
    String first = chainPem.substring(0, end + "-----END CERTIFICATE-----".length());
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(
                  new ByteArrayInputStream(first.getBytes(StandardCharsets.US_ASCII)));
    } catch (CertificateException | RuntimeException e) {
      return null;
    }
  }

  private static List<String> dnsNames(X509Certificate leaf) {
    try {
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans == null) {
        return List.of();
      }
      return sans.stream()
          .filter(s -> Integer.valueOf(2).equals(s.get(0)))
          .map(s -> ((String) s.get(1)).toLowerCase(Locale.ROOT))
          .toList();
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }

  private static String fingerprint(X509Certificate leaf) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
    } catch (NoSuchAlgorithmException | CertificateException e) {
      throw new IllegalStateException("SHA-256 over a parsed certificate failed", e);
    }
  }
}
